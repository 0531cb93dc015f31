import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, query } from '../api.js';
import { t, when } from '../i18n.js';
import { Loading, useLoad } from './common.js';

const OUTCOMES = ['completed', 'transferred', 'abandoned', 'failed', 'in_progress'];
const CHANNELS = ['sip', 'webrtc', 'simulated'];

const dayStart = (d) => (d ? new Date(`${d}T00:00:00`).getTime() : '');
const dayEnd = (d) => (d ? new Date(`${d}T00:00:00`).getTime() + 86400000 : '');

export function CallList({ tenant }) {
  const [form, setForm] = useState({ from: '', to: '', outcome: '', channel: '', tag: '', text: '' });
  const [q, setQ] = useState(form);
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/calls`;
  const params = { from_ms: dayStart(q.from), to_ms: dayEnd(q.to), outcome: q.outcome, channel: q.channel, tag: q.tag, text: q.text, limit: 200 };
  const [data, error] = useLoad(() => api('GET', base + query(params)), [tenant, JSON.stringify(q)]);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  return html`<section>
    <h1>${t('calls')}</h1>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); setQ(form); }}>
      <label>${t('from')}<input type="date" value=${form.from} onInput=${set('from')} /></label>
      <label>${t('to')}<input type="date" value=${form.to} onInput=${set('to')} /></label>
      <label>${t('outcome')}<select value=${form.outcome} onChange=${set('outcome')}>
        <option value="">${t('any')}</option>${OUTCOMES.map((o) => html`<option value=${o}>${o}</option>`)}</select></label>
      <label>${t('channel')}<select value=${form.channel} onChange=${set('channel')}>
        <option value="">${t('any')}</option>${CHANNELS.map((o) => html`<option value=${o}>${o}</option>`)}</select></label>
      <label>${t('tag')}<input value=${form.tag} onInput=${set('tag')} size="12" /></label>
      <label>${t('text')}<input name="text" value=${form.text} onInput=${set('text')} size="16" /></label>
      <button type="submit">${t('search')}</button>
    </form>
    ${!data ? html`<${Loading} error=${error} />` : html`
      <div class="scroll"><table class="calls">
        <thead><tr><th>${t('started')}</th><th>${t('caller')}</th><th>${t('channel')}</th><th>${t('outcome')}</th><th>${t('tag')}</th><th>${t('turns')}</th></tr></thead>
        <tbody>${data.calls.map((c) => html`<tr data-call=${c.id}>
          <td><a href=${`#/t/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(c.id)}`}>${when(c.started_at_ms)}</a></td>
          <td>${c.caller || '—'}</td><td>${c.channel}</td>
          <td><span class=${`pill ${c.outcome}`}>${c.outcome}</span>${c.flow_error ? ' ⚠' : ''}</td>
          <td>${c.tags.join(', ')}</td><td>${c.turns}</td></tr>`)}</tbody>
      </table></div>`}
  </section>`;
}

/// Keep this call as a test case, to replay against later flow versions.
function SaveCase({ tenant, call }) {
  const [state, setState] = useState(null);
  const save = () =>
    api('POST', `/v1/tenants/${encodeURIComponent(tenant)}/cases`, { call_id: call.id })
      .then((c) => setState({ ok: c.name }), (e) => setState({ error: e }));
  if (call.outcome === 'in_progress') return null;
  return html`<div class="row">
    <button type="button" class="save-case" onClick=${save} disabled=${state && state.ok}>${t('saveCase')}</button>
    ${state && state.ok && html`<span class="ok">${t('caseSaved')}</span>`}
    ${state && state.error && html`<span class="error">${state.error.message}</span>`}
  </div>`;
}

export function CallView({ tenant, id }) {
  const path = `/v1/tenants/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(id)}`;
  const [call, error] = useLoad(() => api('GET', path), [path]);
  if (!call) return html`<${Loading} error=${error} />`;
  const start = call.started_at_ms;
  return html`<section>
    <p><a href=${`#/t/${encodeURIComponent(tenant)}/calls`}>← ${t('back')}</a></p>
    <h1>${when(start)} · ${call.caller || '—'}</h1>
    <p><span class=${`pill ${call.outcome}`}>${call.outcome}</span> ${call.end_reason || ''} · ${call.channel} · v${call.flow_version ?? '—'}
      ${call.tags.length > 0 && html` · ${call.tags.map((x) => html`<code>${x}</code> `)}`}</p>
    <${SaveCase} tenant=${tenant} call=${call} />
    ${call.flow_error && html`<p class="error"><b>${t('flowError')}:</b> ${call.flow_error}</p>`}
    ${call.transfer && html`<div class="box"><b>${t('transfer')}:</b> ${call.transfer.target} (${call.transfer.status})<br />${call.transfer.reason}<br /><small>${call.transfer.summary}</small></div>`}
    ${call.recording && html`<p><b>${t('recording')}:</b><br /><audio controls preload="none" src=${`${path}/recording`}></audio></p>`}
    <h2>${t('transcript')}</h2>
    <ol class="transcript">
      ${call.transcript.map((e) => html`<li class=${e.speaker}>
        <span class="at">+${((e.at_ms - start) / 1000).toFixed(1)} s</span>
        <span class="who">${e.speaker}</span>
        <span class="said">${e.text}</span>
        ${e.latency_ms !== undefined && html`<span class="lat">${t('latencyMs')} ${e.latency_ms} ms</span>`}
      </li>`)}
    </ol>
  </section>`;
}
