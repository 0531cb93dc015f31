import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';

/// Who is talking now: the calls in progress, each with its transcript as it is said (the
/// tenant's event stream), and the calls that just ended.
export function Live({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/calls`;
  const [calls, setCalls] = useState({});
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    let live = true;
    const update = (id, f) => setCalls((all) => ({ ...all, [id]: f(all[id] || { id, lines: [], started: Date.now() }) }));
    // What is under way already, with its transcript so far.
    api('GET', `${base}?outcome=in_progress&limit=50`).then((r) => {
      for (const c of r.calls) {
        api('GET', `${base}/${encodeURIComponent(c.id)}`).then((rec) => live && update(c.id, (x) => ({
          ...x, caller: rec.caller, channel: rec.channel, started: rec.started_at_ms,
          lines: [...rec.transcript.map((e) => ({ speaker: e.speaker, text: e.text })), ...x.lines],
        })), () => {});
      }
    }, () => {});
    const events = new EventSource(`${base}/events`);
    events.onopen = () => setConnected(true);
    events.onerror = () => setConnected(false);
    events.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (!e.call_id) return;
      if (e.type === 'started') update(e.call_id, (x) => ({ ...x, caller: e.caller, channel: e.channel }));
      if (e.type === 'turn') update(e.call_id, (x) => ({ ...x, lines: [...x.lines, { speaker: e.speaker, text: e.text }] }));
      if (e.type === 'ended') update(e.call_id, (x) => ({ ...x, ended: e.outcome }));
    };
    return () => {
      live = false;
      events.close();
    };
  }, [tenant]);
  const all = Object.values(calls).sort((a, b) => (a.ended ? 1 : 0) - (b.ended ? 1 : 0) || b.started - a.started).slice(0, 20);
  return html`<section>
    <h1>${t('live')}</h1>
    <p class="muted" data-connected=${String(connected)}>${connected ? t('liveOn') : t('loading')}</p>
    ${all.length === 0 && html`<p class="muted">${t('noLive')}</p>`}
    <div class="livecalls">${all.map((c) => html`<div class="box live" data-live=${c.id} data-ended=${c.ended || ''}>
      <p><b>${c.caller || '—'}</b> · ${c.channel || ''} · ${when(c.started)}
        ${c.ended ? html` · <span class=${`pill ${c.ended}`}>${c.ended}</span>` : html` · <span class="pill live">${t('talking')}</span>`}
        · <a href=${`#/t/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(c.id)}`}>${t('open')}</a></p>
      <ol class="transcript">${c.lines.slice(-12).map((l) => html`<li class=${l.speaker}><span class="who">${l.speaker}</span><span class="said">${l.text}</span></li>`)}</ol>
    </div>`)}</div>
  </section>`;
}
