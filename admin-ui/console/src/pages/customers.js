import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

const blank = { name: '', phone: '', address: '', notes: '', blocked: false };

/// Known callers: add one, and block or unblock (a blocked caller is refused politely).
export function Customers({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/customers`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [f, setF] = useState(blank);
  const [failed, setFailed] = useState(null);
  const [filter, setFilter] = useState('');
  if (!data) return html`<${Loading} error=${error} />`;
  const save = (c) => api('POST', base, {
    name: c.name, phone: c.phone, address: c.address || null, notes: c.notes || null, blocked: c.blocked,
  }).then(() => { setFailed(null); reload(); }, setFailed);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const shown = data.customers.filter((c) => !filter || `${c.name} ${c.phone}`.includes(filter));
  return html`<section>
    <h1>${t('customers')}</h1>
    <form class="box row" onSubmit=${(e) => { e.preventDefault(); save(f).then(() => setF(blank)); }}>
      <label>${t('name')}<input name="cname" value=${f.name} onInput=${set('name')} /></label>
      <label>${t('phone')}<input name="cphone" value=${f.phone} onInput=${set('phone')} /></label>
      <label class="grow">${t('address')}<input name="caddress" value=${f.address} onInput=${set('address')} /></label>
      <label>${t('blocked')}<input type="checkbox" name="cblocked" checked=${f.blocked} onChange=${set('blocked')} /></label>
      <button type="submit">${t('add')}</button>
    </form>
    <${ErrorLine} error=${failed} />
    <form class="filters"><label>${t('search')}<input value=${filter} onInput=${(e) => setFilter(e.target.value)} /></label></form>
    <div class="scroll"><table>
      <thead><tr><th>${t('name')}</th><th>${t('phone')}</th><th>${t('address')}</th><th>${t('started')}</th><th>${t('blocked')}</th></tr></thead>
      <tbody>${shown.map((c) => html`<tr data-customer=${c.phone} data-blocked=${String(c.blocked)}>
        <td>${c.name}</td><td>${c.phone}</td><td>${c.address || ''}</td><td>${when(c.created_at_ms)}</td>
        <td><input type="checkbox" aria-label=${t('blocked')} checked=${c.blocked} onChange=${(e) => save({ ...c, blocked: e.target.checked })} /></td>
      </tr>`)}</tbody>
    </table></div>
  </section>`;
}

/// The catalogue as JSON: the server checks it whole and says what is wrong; nothing is stored
/// until it is right.
export function Catalogue({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/catalog`;
  const [data, error] = useLoad(() => api('GET', base), [tenant]);
  const [text, setText] = useState(null);
  const [state, setState] = useState(null);
  if (!data) return html`<${Loading} error=${error} />`;
  const value = text ?? JSON.stringify(data, null, 2);
  const save = async (e) => {
    e.preventDefault();
    let parsed;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      setState({ error: new Error(`JSON: ${err.message}`) });
      return;
    }
    try {
      await api('PUT', base, parsed);
      setState({ ok: true });
    } catch (err) {
      setState({ error: err });
    }
  };
  return html`<section>
    <h1>${t('catalogue')}</h1>
    <p class="muted">${t('catalogueHelp')}</p>
    <form class="box" onSubmit=${save}>
      <textarea name="catalog" class="mono" rows="24" style="width:100%" value=${value} onInput=${(e) => { setText(e.target.value); setState(null); }}></textarea>
      <div class="row"><button type="submit">${t('save')}</button>${state && state.ok && html`<span class="ok">${t('saved')}</span>`}</div>
      <${ErrorLine} error=${state && state.error} />
    </form>
  </section>`;
}
