import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';
import { hoursText, parseHours } from './desk.js';

const lines = (s) => s.split(/[\n,，]+/).map((l) => l.trim()).filter(Boolean);

// Every setting the tenant record has, by section: [field, kind, extra]. Kinds: int, num
// (decimal), bool, text (empty is unset), list (one per line or comma), choice (extra: the
// choices). The labels are `f_<field>` in i18n.js; the server checks every value.
const SPEECH = [
  ['end_of_turn_ms', 'int'], ['end_of_turn_min_ms', 'int'], ['semantic_end_of_turn', 'bool'],
  ['turn_complete_threshold', 'num'], ['min_speech_ms', 'int'], ['speed', 'num'], ['caller_languages', 'list'],
];
const TELEPHONY = [
  ['ring_ms', 'int'], ['max_call_secs', 'int'], ['barge_in', 'bool'], ['recording', 'bool'], ['consent_prompt', 'text'],
  ['transfer_timeout_secs', 'int'], ['transfer_fallback', 'choice', ['bot', 'callback']], ['max_calls', 'int'], ['max_browser_calls', 'int'],
  ['allowed_sources', 'list'], ['allowed_origins', 'list'], ['outbound_proxy', 'text'],
];
const LIMITS = [['event_deadline_ms', 'int'], ['memory_mib', 'int']];
const AFTER_SALES = [
  ['complaint_hours', 'int'], ['return_hours', 'int'], ['exchange_hours', 'int'], ['inquiry_hours', 'int'],
  ['person_above', 'optint'], ['person_for', 'list'],
];
const OUTREACH = [['max_concurrent_calls', 'int'], ['order_update_statuses', 'list']];

const shown = (kind, v) => (kind === 'list' ? (v || []).join('\n') : kind === 'bool' ? !!v : v == null ? '' : String(v));
function parsed(kind, v, field) {
  if (kind === 'int' || kind === 'num') {
    const n = Number(v);
    if (v === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) throw new Error(`${t(`f_${field}`)}: ${t('notANumber')}`);
    return n;
  }
  if (kind === 'optint') return v === '' ? null : parsed('int', v, field);
  if (kind === 'list') return lines(v);
  if (kind === 'text') return v.trim() === '' ? null : v;
  return v;
}
const toForm = (fields, obj) => Object.fromEntries(fields.map(([k, kind]) => [k, shown(kind, obj[k])]));
const fromForm = (fields, form) => Object.fromEntries(fields.map(([k, kind]) => [k, parsed(kind, form[k], k)]));

function Fields({ fields, value, onChange, section }) {
  const set = (k, v) => onChange({ ...value, [k]: v });
  return html`<div class="fields">${fields.map(([k, kind, choices]) => {
    const name = `${section}.${k}`;
    const label = t(`f_${k}`);
    if (kind === 'bool') {
      return html`<label class="check"><input type="checkbox" name=${name} checked=${value[k]} onChange=${(e) => set(k, e.target.checked)} /> ${label}</label>`;
    }
    if (kind === 'choice') {
      return html`<label>${label}<select name=${name} value=${value[k]} onChange=${(e) => set(k, e.target.value)}>
        ${choices.map((c) => html`<option value=${c}>${t(`c_${c}`)}</option>`)}</select></label>`;
    }
    if (kind === 'list') {
      return html`<label>${label}<textarea name=${name} rows="2" value=${value[k]} onInput=${(e) => set(k, e.target.value)}></textarea></label>`;
    }
    const type = kind === 'text' ? 'text' : 'number';
    // (optint: a number or nothing)
    const step = kind === 'num' ? 'any' : '1';
    return html`<label>${label}<input name=${name} type=${type} step=${step} value=${value[k]} onInput=${(e) => set(k, e.target.value)} /></label>`;
  })}</div>`;
}

function AgentRows({ agents, onChange }) {
  const set = (i, k, v) => onChange(agents.map((a, j) => (i === j ? { ...a, [k]: v } : a)));
  return html`<div class="agents">
    ${agents.map((a, i) => html`<div class="row agent">
      <label>${t('name')}<input name=${`agent.${i}.name`} value=${a.name} onInput=${(e) => set(i, 'name', e.target.value)} /></label>
      <label class="grow">${t('f_uri')}<input name=${`agent.${i}.uri`} value=${a.uri} onInput=${(e) => set(i, 'uri', e.target.value)} placeholder="sip:frontdesk@pbx.example.com" /></label>
      <label>${t('f_mode')}<select name=${`agent.${i}.mode`} value=${a.mode} onChange=${(e) => set(i, 'mode', e.target.value)}>
        <option value="bridged">${t('c_bridged')}</option><option value="blind">${t('c_blind')}</option></select></label>
      <button type="button" class="danger" onClick=${() => onChange(agents.filter((_, j) => j !== i))}>${t('delete')}</button>
    </div>`)}
    <button type="button" onClick=${() => onChange([...agents, { name: '', uri: '', mode: 'bridged' }])}>${t('addAgent')}</button>
  </div>`;
}

/// The tenant's settings, every field a form control, by section; the server checks every
/// value and its message is shown. Numbers route calls between tenants, so only the provider
/// changes them.
function SettingsForm({ tenant, provider, onSaved }) {
  const initial = () => ({
    name: tenant.name,
    language: tenant.language,
    utc_offset_minutes: String(tenant.utc_offset_minutes),
    numbers: tenant.numbers.join('\n'),
    resolution_tags: tenant.analytics.resolution_tags.join(', '),
    agents: tenant.agents.map((a) => ({ ...a, mode: a.mode || 'bridged' })),
    speech: toForm(SPEECH, tenant.speech),
    telephony: toForm(TELEPHONY, tenant.telephony),
    limits: toForm(LIMITS, tenant.limits),
    after_sales: toForm(AFTER_SALES, tenant.after_sales),
    outreach: toForm(OUTREACH, tenant.outreach),
    order_update_window: hoursText(tenant.outreach.order_update_window),
    sip_user: tenant.telephony.auth ? tenant.telephony.auth.username : '',
    sip_password: '',
  });
  const [f, setF] = useState(initial);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const put = (k, v) => { setF({ ...f, [k]: v }); setSaved(false); };
  const set = (k) => (e) => put(k, e.target.value);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const telephony = fromForm(TELEPHONY, f.telephony);
      // Consent prompt and proxy: empty clears them.
      telephony.consent_prompt = telephony.consent_prompt ?? '';
      telephony.outbound_proxy = telephony.outbound_proxy ?? '';
      if (f.sip_password) telephony.auth = { username: f.sip_user.trim(), password: f.sip_password };
      else if (!f.sip_user.trim() && tenant.telephony.auth) telephony.auth = null;
      const patch = {
        name: f.name,
        language: f.language,
        utc_offset_minutes: parsed('int', f.utc_offset_minutes, 'utc_offset_minutes'),
        analytics: { resolution_tags: f.resolution_tags.split(/[,，\s]+/).filter(Boolean) },
        agents: f.agents.map((a) => ({ name: a.name.trim(), uri: a.uri.trim(), mode: a.mode })),
        speech: fromForm(SPEECH, f.speech),
        telephony,
        limits: fromForm(LIMITS, f.limits),
        after_sales: fromForm(AFTER_SALES, f.after_sales),
        outreach: { ...fromForm(OUTREACH, f.outreach), order_update_window: parseHours(f.order_update_window) },
      };
      const numbers = lines(f.numbers);
      if (provider && numbers.join() !== tenant.numbers.join()) patch.numbers = numbers;
      await api('PATCH', `/v1/tenants/${encodeURIComponent(tenant.id)}`, patch);
      setSaved(true);
      setF({ ...f, sip_password: '' });
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="box settings" onSubmit=${submit}>
    <fieldset><legend>${t('general')}</legend>
      <div class="row">
        <label class="grow">${t('tenantName')}<input name="name" value=${f.name} onInput=${set('name')} /></label>
        <label>${t('language')}<input name="language" value=${f.language} onInput=${set('language')} size="6" /></label>
        <label>${t('f_utc_offset_minutes')}<input name="utc_offset_minutes" type="number" value=${f.utc_offset_minutes} onInput=${set('utc_offset_minutes')} /></label>
      </div>
      <label>${t('resolutionTags')}<input name="resolution_tags" value=${f.resolution_tags} onInput=${set('resolution_tags')} /></label>
      <label>${provider ? t('numberLines') : t('numbersBy')}<textarea name="numbers" rows="2" value=${f.numbers} onInput=${set('numberLines')} readonly=${!provider}></textarea></label>
    </fieldset>
    <fieldset><legend>${t('speechSettings')}</legend>
      <${Fields} section="speech" fields=${SPEECH} value=${f.speech} onChange=${(v) => put('speech', v)} />
    </fieldset>
    <fieldset><legend>${t('telephonySettings')}</legend>
      <${Fields} section="telephony" fields=${TELEPHONY} value=${f.telephony} onChange=${(v) => put('telephony', v)} />
      <div class="row">
        <label>${t('f_sip_user')}<input name="sip_user" value=${f.sip_user} onInput=${set('sip_user')} autocomplete="off" /></label>
        <label>${t('f_sip_password')}<input name="sip_password" type="password" value=${f.sip_password} onInput=${set('sip_password')} autocomplete="new-password" placeholder=${tenant.telephony.auth ? t('keepPassword') : ''} /></label>
      </div>
    </fieldset>
    <fieldset><legend>${t('agentsSection')}</legend>
      <${AgentRows} agents=${f.agents} onChange=${(v) => put('agents', v)} />
    </fieldset>
    <fieldset><legend>${t('afterSalesSettings')}</legend>
      <${Fields} section="after_sales" fields=${AFTER_SALES} value=${f.after_sales} onChange=${(v) => put('after_sales', v)} />
    </fieldset>
    <fieldset><legend>${t('outreachSettings')}</legend>
      <${Fields} section="outreach" fields=${OUTREACH} value=${f.outreach} onChange=${(v) => put('outreach', v)} />
      <label>${t('f_order_update_window')}<textarea name="outreach.order_update_window" rows="2" value=${f.order_update_window} onInput=${set('order_update_window')}></textarea></label>
    </fieldset>
    <fieldset><legend>${t('limits')}</legend>
      <${Fields} section="limits" fields=${LIMITS} value=${f.limits} onChange=${(v) => put('limits', v)} />
    </fieldset>
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

export function Settings({ tenant, provider }) {
  const [version, setVersion] = useState(0);
  const [data, error] = useLoad(() => api('GET', `/v1/tenants/${encodeURIComponent(tenant)}`), [tenant]);
  if (!data) return html`<${Loading} error=${error} />`;
  return html`<section>
    <h1>${t('settings')}</h1>
    <${SettingsForm} tenant=${data} provider=${provider} onSaved=${() => setVersion((v) => v + 1)} />
    <h2>${t('keys')}</h2>
    <${Keys} tenant=${tenant} />
    <h2>${t('audit')}</h2>
    <${AuditLog} tenant=${tenant} version=${version} />
  </section>`;
}
