import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

/// Talk to any stored version, as `calls/simulate` does: each message replays the
/// conversation so far against the chosen version.
function Chat({ tenant, versions, active }) {
  const [version, setVersion] = useState(String(active ?? ''));
  const [said, setSaid] = useState([]);
  const [line, setLine] = useState('');
  const [turns, setTurns] = useState(null);
  const [error, setError] = useState(null);
  const run = async (inputs) => {
    setError(null);
    try {
      const body = { caller: '+886900000000', inputs: inputs.map((text) => ({ text })), version: version ? Number(version) : undefined };
      const r = await api('POST', `/v1/tenants/${encodeURIComponent(tenant)}/calls/simulate`, body);
      setTurns(r.turns);
    } catch (e) {
      setError(e);
    }
  };
  const send = (e) => {
    e.preventDefault();
    if (!line.trim()) return;
    const next = [...said, line.trim()];
    setSaid(next);
    setLine('');
    run(next);
  };
  return html`<div class="box chat">
    <div class="row">
      <label>${t('version')}<select value=${version} onChange=${(e) => { setVersion(e.target.value); setSaid([]); setTurns(null); }}>
        ${versions.map((v) => html`<option value=${v.version}>v${v.version}${v.version === active ? ` (${t('active')})` : ''}</option>`)}</select></label>
      <button type="button" onClick=${() => { setSaid([]); run([]); }}>↺</button>
    </div>
    <ol class="transcript">
      ${(turns || []).map((turn) => html`
        ${turn.input && turn.input.text !== undefined && html`<li class="caller"><span class="who">caller</span><span class="said">${turn.input.text}</span></li>`}
        ${turn.replies.map((r) => html`<li class="bot"><span class="who">bot</span><span class="said">${r.text}</span></li>`)}`)}
    </ol>
    <form class="row" onSubmit=${send}>
      <input class="grow" name="say" value=${line} onInput=${(e) => setLine(e.target.value)} placeholder="一杯大杯珍奶半糖少冰 / how late are you open?" />
      <button type="submit">→</button>
    </form>
    <${ErrorLine} error=${error} />
  </div>`;
}

/// A conversation as lines: the caller's inputs and the bot's words, then how it ended.
function lines(c) {
  const out = [];
  for (const turn of c.turns) {
    if (turn.caller) out.push({ who: 'caller', text: turn.caller.text ?? (turn.caller.dtmf !== undefined ? `[${turn.caller.dtmf}]` : '[…]') });
    for (const b of turn.bot) out.push({ who: 'bot', text: b });
  }
  out.push({ who: 'system', text: `${c.outcome} · ${c.tags.join(', ')}` });
  return out;
}

/// The saved cases, and their replay against a version: what changed, side by side.
function Cases({ tenant, versions, active }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/cases`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [version, setVersion] = useState(String(active ?? ''));
  const [report, setReport] = useState(null);
  const [failed, setFailed] = useState(null);
  const [busy, setBusy] = useState(false);
  if (!data) return html`<${Loading} error=${error} />`;
  const replay = async () => {
    setFailed(null);
    setBusy(true);
    try {
      setReport(await api('POST', `${base}/replay`, { version: Number(version) }));
    } catch (e) {
      setFailed(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = (id) => () => api('DELETE', `${base}/${encodeURIComponent(id)}`).then(reload, setFailed);
  return html`<div class="box cases">
    ${data.cases.length === 0 && html`<p class="muted">${t('noCases')}</p>`}
    <ul class="caselist">${data.cases.map((c) => html`<li data-case=${c.id}>${c.name} <small class="muted">(${c.expected.outcome})</small>
      <button type="button" class="link danger" onClick=${remove(c.id)}>${t('delete')}</button></li>`)}</ul>
    ${data.cases.length > 0 && html`<div class="row">
      <label>${t('version')}<select name="replay-version" value=${version} onChange=${(e) => setVersion(e.target.value)}>
        ${versions.map((v) => html`<option value=${v.version}>v${v.version}${v.version === active ? ` (${t('active')})` : ''}</option>`)}</select></label>
      <button type="button" class="replay" onClick=${replay} disabled=${busy}>${t('replay')}</button>
    </div>`}
    <${ErrorLine} error=${failed} />
    ${report && html`<div class="report" data-changed=${report.changed}>
      <p><b>v${report.version}</b>: ${report.changed} ${t('changed')}, ${report.unchanged} ${t('unchanged')}</p>
      ${report.results.map((r) => html`<details class=${r.changed ? 'changed' : 'same'} open=${r.changed} data-result=${r.case_id}>
        <summary>${r.changed ? '≠' : '='} ${r.name}</summary>
        ${r.changed && html`<div class="sidebyside">
          <div><h4>${t('expected')} (v${r.expected.flow_version ?? '—'})</h4><ol class="transcript">${lines(r.expected).map((l) => html`<li class=${l.who}><span class="who">${l.who}</span><span class="said">${l.text}</span></li>`)}</ol></div>
          <div><h4>${t('actual')} (v${r.actual.flow_version ?? '—'})</h4><ol class="transcript">${lines(r.actual).map((l) => html`<li class=${l.who}><span class="who">${l.who}</span><span class="said">${l.text}</span></li>`)}</ol></div>
        </div>`}
      </details>`)}
    </div>`}
  </div>`;
}

export function Flows({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/flows`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [failed, setFailed] = useState(null);
  const [busy, setBusy] = useState(false);
  if (!data) return html`<${Loading} error=${error} />`;
  const upload = async (e) => {
    e.preventDefault();
    const file = e.target.elements.wasm.files[0];
    if (!file) return;
    setFailed(null);
    setBusy(true);
    try {
      await api('POST', base, file);
      e.target.reset();
      reload();
    } catch (err) {
      setFailed(err);
    } finally {
      setBusy(false);
    }
  };
  const activate = (v) => () => api('POST', `${base}/${v}/activate`).then(reload, setFailed);
  const versions = [...data.versions].reverse();
  return html`<section>
    <h1>${t('flows')}</h1>
    <form class="row" onSubmit=${upload}>
      <label class="grow">${t('upload')} (.wasm)<input type="file" name="wasm" accept=".wasm,application/wasm" /></label>
      <button type="submit" disabled=${busy}>${t('upload')}</button>
    </form>
    <${ErrorLine} error=${failed} />
    <div class="scroll"><table>
      <thead><tr><th>${t('version')}</th><th>${t('uploaded')}</th><th>${t('size')}</th><th>sha256</th><th></th></tr></thead>
      <tbody>${versions.map((v) => html`<tr data-version=${v.version}>
        <td>v${v.version} ${v.version === data.active && html`<span class="pill completed">${t('active')}</span>`}</td>
        <td>${when(v.uploaded_at_ms)}</td><td>${(v.size_bytes / 1024).toFixed(0)} KiB</td><td><code>${v.sha256.slice(0, 12)}</code></td>
        <td>${v.version !== data.active && html`<button onClick=${activate(v.version)}>${data.active && v.version < data.active ? t('rollBack') : t('activate')}</button>`}</td>
      </tr>`)}</tbody></table></div>
    ${versions.length > 0 && html`<h2>${t('chat')}</h2><${Chat} key=${data.active} tenant=${tenant} versions=${versions} active=${data.active} />`}
    ${versions.length > 0 && html`<h2>${t('cases')}</h2><${Cases} key=${data.active} tenant=${tenant} versions=${versions} active=${data.active} />`}
  </section>`;
}
