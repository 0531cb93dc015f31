import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, query } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

const STATUSES = ['received', 'preparing', 'ready', 'out_for_delivery', 'completed', 'cancelled'];

export function Orders({ tenant }) {
  const [status, setStatus] = useState('');
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/orders`;
  const [data, error, reload] = useLoad(() => api('GET', base + query({ status, limit: 500 })), [tenant, status]);
  const [failed, setFailed] = useState(null);
  const change = (o) => async (e) => {
    setFailed(null);
    try {
      await api('PATCH', `${base}/${encodeURIComponent(o.id)}`, { status: e.target.value });
      reload();
    } catch (err) {
      setFailed(err);
    }
  };
  return html`<section>
    <h1>${t('orders')}</h1>
    <form class="filters"><label>${t('status')}<select value=${status} onChange=${(e) => setStatus(e.target.value)}>
      <option value="">${t('any')}</option>${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label></form>
    <${ErrorLine} error=${failed} />
    ${!data ? html`<${Loading} error=${error} />` : html`<div class="scroll"><table>
      <thead><tr><th>#</th><th>${t('started')}</th><th>${t('name')}</th><th>${t('phone')}</th><th>${t('items')}</th><th>${t('total')}</th><th>${t('status')}</th></tr></thead>
      <tbody>${[...data.orders].reverse().map((o) => html`<tr data-order=${o.id} data-status=${o.status}>
        <td>${o.number}</td><td>${when(o.created_at_ms)}</td><td>${o.customer_name}</td><td>${o.phone}</td>
        <td>${o.items.map((i) => html`<div>${i.quantity} × ${i.product_name} (${i.size_id}) ${i.options.map((x) => x.choice).join(' ')}</div>`)}</td>
        <td>${o.currency} ${o.total}</td>
        <td><select aria-label=${t('status')} value=${o.status} onChange=${change(o)}>${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select></td>
      </tr>`)}</tbody></table></div>`}
  </section>`;
}
