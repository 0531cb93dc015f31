import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

const lines = (s) => s.split('\n').map((l) => l.trim()).filter(Boolean);

/// The tenant's settings: plain fields, agents one per line, and the speech settings and flow
/// limits as JSON; the server checks every field and its message is shown.
function SettingsForm({ tenant, onSaved }) {
  const [f, setF] = useState({
    name: tenant.name,
    language: tenant.language,
    utc_offset_minutes: String(tenant.utc_offset_minutes),
    resolution_tags: tenant.analytics.resolution_tags.join(', '),
    agents: tenant.agents.map((a) => `${a.name} ${a.uri}`).join('\n'),
    speech: JSON.stringify(tenant.speech, null, 2),
    limits: JSON.stringify(tenant.limits, null, 2),
  });
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const set = (k) => (e) => { setF({ ...f, [k]: e.target.value }); setSaved(false); };
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const json = (what, text) => {
        try { return JSON.parse(text); } catch (err) { throw new Error(`${what}: ${err.message}`); }
      };
      const agents = lines(f.agents).map((l) => {
        const at = l.lastIndexOf(' ');
        return at < 0 ? { name: l, uri: '' } : { name: l.slice(0, at).trim(), uri: l.slice(at + 1) };
      });
      const patch = {
        name: f.name,
        language: f.language,
        utc_offset_minutes: Number(f.utc_offset_minutes),
        analytics: { resolution_tags: f.resolution_tags.split(/[,，\s]+/).filter(Boolean) },
        agents,
        speech: json('speech', f.speech),
        limits: json('limits', f.limits),
      };
      await api('PATCH', `/v1/tenants/${encodeURIComponent(tenant.id)}`, patch);
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="box settings" onSubmit=${submit}>
    <div class="row">
      <label class="grow">${t('tenantName')}<input name="name" value=${f.name} onInput=${set('name')} /></label>
      <label>${t('language')}<input name="language" value=${f.language} onInput=${set('language')} size="6" /></label>
      <label>${t('utcOffset')}<input name="utc_offset_minutes" value=${f.utc_offset_minutes} onInput=${set('utc_offset_minutes')} size="5" /></label>
    </div>
    <label>${t('resolutionTags')}<input name="resolution_tags" value=${f.resolution_tags} onInput=${set('resolution_tags')} /></label>
    <label>${t('agents')}<textarea name="agents" rows="3" value=${f.agents} onInput=${set('agents')} placeholder="Front desk sip:frontdesk@pbx.example.com"></textarea></label>
    <div class="two">
      <label>${t('speechSettings')}<textarea name="speech" rows="10" class="mono" value=${f.speech} onInput=${set('speech')}></textarea></label>
      <label>${t('limits')}<textarea name="limits" rows="10" class="mono" value=${f.limits} onInput=${set('limits')}></textarea></label>
    </div>
    <p class="muted">${t('numbersBy')}: ${tenant.numbers.join(', ') || '—'}</p>
    <div class="row"><button type="submit">${t('save')}</button>${saved && html`<span class="ok">${t('saved')}</span>`}</div>
    <${ErrorLine} error=${error} />
  </form>`;
}

function Keys({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/keys`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [created, setCreated] = useState(null);
  const [failed, setFailed] = useState(null);
  if (!data) return html`<${Loading} error=${error} />`;
  const create = (kind) => () =>
    api('POST', base, { kind }).then((r) => { setCreated(r); reload(); }, setFailed);
  return html`<div class="box">
    <div class="scroll"><table><thead><tr><th>${t('kind')}</th><th>${t('prefix')}</th><th>${t('started')}</th></tr></thead>
      <tbody>${data.keys.map((k) => html`<tr><td>${k.kind}</td><td><code>${k.public || `${k.prefix}…`}</code></td><td>${when(k.created_at_ms)}</td></tr>`)}</tbody></table></div>
    <div class="row" style="margin-top:.75rem">
      <button type="button" onClick=${create('tenant')}>${t('newTenantKey')}</button>
      <button type="button" onClick=${create('widget')}>${t('newWidgetKey')}</button>
    </div>
    ${created && html`<p class="ok">${t('keyOnce')}: <code class="key">${created.api_key}</code></p>`}
    <${ErrorLine} error=${failed} />
  </div>`;
}

function AuditLog({ tenant, version }) {
  const [data, error] = useLoad(() => api('GET', `/v1/tenants/${encodeURIComponent(tenant)}/audit?limit=200`), [tenant, version]);
  if (!data) return html`<${Loading} error=${error} />`;
  return html`<div class="scroll"><table class="audit">
    <thead><tr><th>${t('when')}</th><th>${t('who')}</th><th>${t('action')}</th><th>${t('target')}</th><th>${t('detail')}</th></tr></thead>
    <tbody>${data.changes.map((c) => html`<tr data-action=${c.action}><td>${when(c.at_ms)}</td><td>${c.actor}</td><td><code>${c.action}</code></td><td><code>${c.target}</code></td><td>${c.detail}</td></tr>`)}</tbody>
  </table></div>`;
}

export function Settings({ tenant }) {
  const [version, setVersion] = useState(0);
  const [data, error] = useLoad(() => api('GET', `/v1/tenants/${encodeURIComponent(tenant)}`), [tenant]);
  if (!data) return html`<${Loading} error=${error} />`;
  return html`<section>
    <h1>${t('settings')}</h1>
    <${SettingsForm} tenant=${data} onSaved=${() => setVersion((v) => v + 1)} />
    <h2>${t('keys')}</h2>
    <${Keys} tenant=${tenant} />
    <h2>${t('audit')}</h2>
    <${AuditLog} tenant=${tenant} version=${version} />
  </section>`;
}
