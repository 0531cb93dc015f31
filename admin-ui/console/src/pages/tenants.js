import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

export function Tenants() {
  const [data, error, reload] = useLoad(() => api('GET', '/v1/tenants'), []);
  const [form, setForm] = useState({ name: '', numbers: '', language: 'zh-TW' });
  const [created, setCreated] = useState(null);
  const [failed, setFailed] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const create = async (e) => {
    e.preventDefault();
    setFailed(null);
    try {
      const numbers = form.numbers.split(/[,，\s]+/).filter(Boolean);
      const r = await api('POST', '/v1/tenants', { name: form.name, numbers, language: form.language });
      setCreated(r);
      setForm({ name: '', numbers: '', language: 'zh-TW' });
      reload();
    } catch (err) {
      setFailed(err);
    }
  };
  return html`<section>
    <h1>${t('tenants')}</h1>
    <form class="box" onSubmit=${create}>
      <div class="row">
        <label class="grow">${t('name')}<input name="name" value=${form.name} onInput=${set('name')} required /></label>
        <label class="grow">${t('numbers')}<input name="numbers" value=${form.numbers} onInput=${set('numbers')} placeholder="+886212345678" /></label>
        <label>${t('language')}<select name="language" value=${form.language} onChange=${set('language')}>
          <option value="zh-TW">zh-TW</option><option value="en">en</option></select></label>
        <button type="submit">${t('create')}</button>
      </div>
      <${ErrorLine} error=${failed} />
      ${created && html`<p class="ok">${t('newKey')}: <code class="key">${created.api_key}</code></p>`}
    </form>
    ${!data ? html`<${Loading} error=${error} />` : html`<div class="scroll"><table>
      <thead><tr><th>${t('name')}</th><th>${t('numbers')}</th><th>${t('language')}</th><th>${t('flows')}</th><th>${t('started')}</th></tr></thead>
      <tbody>${data.tenants.map((x) => html`<tr data-tenant=${x.id}>
        <td><a href=${`#/t/${encodeURIComponent(x.id)}/dashboard`}>${x.name}</a></td><td>${x.numbers.join(', ')}</td>
        <td>${x.language}</td><td>${x.active_flow ? `v${x.active_flow}` : '—'}</td><td>${when(x.created_at_ms)}</td></tr>`)}</tbody>
    </table></div>`}
  </section>`;
}
