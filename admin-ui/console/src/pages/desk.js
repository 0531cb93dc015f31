import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

/// The browser's side of a desk call: the microphone, an offer with its ICE candidates
/// gathered (the server is ICE-lite and takes no trickle), the answer, and the caller's voice
/// played. `window.__desk` lets tests read the levels of both directions.
async function connect(url) {
  const pc = new RTCPeerConnection();
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  mic.getTracks().forEach((track) => pc.addTrack(track, mic));
  const audio = new Audio();
  audio.autoplay = true;
  pc.ontrack = (e) => { audio.srcObject = e.streams[0] || new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((done) => {
    if (pc.iceGatheringState === 'complete') return done();
    const check = () => pc.iceGatheringState === 'complete' && done();
    pc.addEventListener('icegatheringstatechange', check);
    setTimeout(done, 3000);
  });
  let answer;
  try {
    answer = await api('POST', url, { sdp: pc.localDescription.sdp });
  } catch (err) {
    hangUpMedia({ pc, mic, audio });
    throw err;
  }
  await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
  window.__desk = { pc, mic, audio };
  return { pc, mic, audio, answer };
}

function hangUpMedia(leg) {
  if (!leg) return;
  leg.mic.getTracks().forEach((tr) => tr.stop());
  leg.pc.close();
  leg.audio.srcObject = null;
}

const lineClass = (who) => (who === 'caller' ? 'caller' : who === 'bot' ? 'bot' : 'system');

/// What the ringing (or connected) call brings: the caller, their record and orders, why the
/// bot handed over, its summary, the order draft, and the transcript so far.
function ScreenPop({ popup }) {
  const c = popup.customer;
  return html`<div class="screenpop">
    <div class="two">
      <div>
        <p><b>${t('caller')}:</b> <span data-pop="caller">${popup.caller || t('withheld')}</span></p>
        ${c && html`<p><b>${t('name')}:</b> <span data-pop="customer">${c.name}</span>${c.address ? html` · ${c.address}` : ''}</p>`}
        <p><b>${t('reason')}:</b> <span data-pop="reason">${popup.reason}</span></p>
        <p><b>${t('summary')}:</b> <span data-pop="summary">${popup.summary}</span></p>
      </div>
      <div>
        ${popup.order && html`<p><b>${t('orderThisCall')}:</b> ${popup.order.items.map((i) => `${i.quantity}× ${i.product_name}`).join('、')} (${popup.order.total} ${popup.order.currency})</p>`}
        <p><b>${t('pastOrders')}:</b> ${(popup.orders || []).length
          ? (popup.orders || []).map((o) => html`<span class="pill">${when(o.created_at_ms)} · ${o.total} ${o.currency}</span> `)
          : '—'}</p>
      </div>
    </div>
    <details open><summary>${t('transcript')}</summary>
      <ul class="transcript" data-pop="transcript">${(popup.transcript || []).map((e) => html`<li class=${lineClass(e.speaker)} data-live=${!!e.live}><span class="who">${t(`sp_${e.speaker}`)}</span><span class="said">${e.text}</span></li>`)}</ul>
    </details>
  </div>`;
}

const nameOf = (names) => (names.find((n) => n.lang.startsWith('zh')) || names[0] || {}).text || '';

/// An order for the caller (or a correction of the call's order), priced by the server from
/// the catalogue as the bot's orders are.
function OrderForm({ callId, popup, onPlaced }) {
  const [catalog] = useLoad(() => api('GET', '/v1/desk/catalog'), []);
  const c = popup.customer || {};
  const [f, setF] = useState({ name: c.name || '', phone: popup.caller || '', fulfilment: 'pickup', address: c.address || '', notes: '', replace: !!popup.order });
  const [items, setItems] = useState([{ product_id: '', size_id: '', quantity: 1 }]);
  const [state, setState] = useState(null);
  if (!catalog) return null;
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const setItem = (i, k, v) => setItems(items.map((it, j) => (i === j ? { ...it, [k]: v, ...(k === 'product_id' ? { size_id: '' } : {}) } : it)));
  const submit = async (e) => {
    e.preventDefault();
    const order = {
      items: items.filter((it) => it.product_id).map((it) => {
        const p = catalog.products.find((x) => x.id === it.product_id);
        return { product_id: it.product_id, size_id: it.size_id || (p && p.sizes[0] ? p.sizes[0].id : ''), quantity: Number(it.quantity), options: [] };
      }),
      customer_name: f.name, phone: f.phone, fulfilment: f.fulfilment,
      address: f.fulfilment === 'delivery' ? f.address : null, notes: f.notes || null,
    };
    try {
      const placed = await api('POST', `/v1/desk/calls/${encodeURIComponent(callId)}/orders`, { order, replaces: f.replace && popup.order ? popup.order.id : null });
      setState({ placed });
      onPlaced(placed);
    } catch (err) {
      setState({ error: err });
    }
  };
  return html`<details class="orderform"><summary>${popup.order ? t('correctOrder') : t('newOrder')}</summary>
    <form onSubmit=${submit}>
      ${items.map((it, i) => {
        const p = catalog.products.find((x) => x.id === it.product_id);
        return html`<div class="row">
          <label class="grow">${t('products')}<select name=${`item.${i}.product`} value=${it.product_id} onChange=${(e) => setItem(i, 'product_id', e.target.value)}>
            <option value="">—</option>${catalog.products.map((x) => html`<option value=${x.id}>${nameOf(x.names)}</option>`)}</select></label>
          <label>${t('sizeCol')}<select name=${`item.${i}.size`} value=${it.size_id} onChange=${(e) => setItem(i, 'size_id', e.target.value)}>
            ${(p ? p.sizes : []).map((z) => html`<option value=${z.id}>${nameOf(z.names) || z.id} · ${z.price}</option>`)}</select></label>
          <label>${t('quantity')}<input name=${`item.${i}.quantity`} type="number" min="1" max="99" value=${it.quantity} onInput=${(e) => setItem(i, 'quantity', e.target.value)} style="width:4rem" /></label>
        </div>`;
      })}
      <button type="button" class="link" onClick=${() => setItems([...items, { product_id: '', size_id: '', quantity: 1 }])}>+ ${t('products')}</button>
      <div class="row">
        <label>${t('name')}<input name="order_name" value=${f.name} onInput=${set('name')} /></label>
        <label>${t('phone')}<input name="order_phone" value=${f.phone} onInput=${set('phone')} /></label>
        <label>${t('fulfilment')}<select name="fulfilment" value=${f.fulfilment} onChange=${set('fulfilment')}>
          <option value="pickup">${t('pickup')}</option><option value="delivery">${t('delivery')}</option></select></label>
      </div>
      ${f.fulfilment === 'delivery' && html`<label>${t('address')}<input name="order_address" value=${f.address} onInput=${set('address')} /></label>`}
      ${popup.order && html`<label class="check"><input type="checkbox" name="replace" checked=${f.replace} onChange=${set('replace')} /> ${t('replacesOrder')} #${popup.order.number}</label>`}
      <div class="row"><button type="submit" name="place_order">${t('placeOrder')}</button>
        ${state && state.placed && html`<span class="ok" data-order=${state.placed.id}>#${state.placed.number} · ${state.placed.total} ${state.placed.currency}</span>`}</div>
      <${ErrorLine} error=${state && state.error} />
    </form>
  </details>`;
}

/// Send the caller to another queue or a colleague (their state is shown).
function TransferTo({ callId, onError }) {
  const [dir] = useLoad(() => api('GET', '/v1/desk/directory'), [callId]);
  const [to, setTo] = useState('');
  if (!dir) return null;
  const go = () => {
    if (!to) return;
    const [kind, id] = [to.slice(0, to.indexOf(':')), to.slice(to.indexOf(':') + 1)];
    api('POST', `/v1/desk/calls/${encodeURIComponent(callId)}/transfer`, { [kind]: id }).catch(onError);
  };
  return html`<span class="row transfer">
    <select name="transfer_to" value=${to} onChange=${(e) => setTo(e.target.value)}>
      <option value="">${t('transferTo')}</option>
      ${dir.queues.map((q) => html`<option value=${`queue:${q.id}`}>${t('queue')}: ${q.name}</option>`)}
      ${dir.agents.map((a) => html`<option value=${`agent:${a.id}`}>${a.name} (${t(`st_${a.state}`)})</option>`)}
    </select>
    <button type="button" class="secondary" name="transfer" onClick=${go} disabled=${!to}>${t('transfer')}</button>
  </span>`;
}

function WrapUp({ callId, me, phone, onDone }) {
  const [f, setF] = useState({ outcome: 'resolved', notes: '', callback: false, due: '', note: '', phone: phone || '' });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    const body = { outcome: f.outcome.trim(), notes: f.notes };
    if (f.callback) {
      const due = Date.parse(f.due);
      if (!Number.isFinite(due)) { setError(new Error(t('dueNeeded'))); return; }
      body.follow_up = { due_at_ms: due, assignee: me.id, note: f.note, phone: f.phone };
    }
    try {
      await api('POST', `/v1/desk/calls/${encodeURIComponent(callId)}/wrapup`, body);
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="box wrapup" onSubmit=${submit}>
    <h2>${t('wrapUp')}</h2>
    <label>${t('outcome')}<input name="outcome" list="outcomes" value=${f.outcome} onInput=${set('outcome')} required /></label>
    <datalist id="outcomes"><option value="resolved" /><option value="order-corrected" /><option value="needs-callback" /><option value="complaint" /></datalist>
    <label>${t('notes')}<textarea name="notes" rows="3" value=${f.notes} onInput=${set('notes')}></textarea></label>
    <label class="check"><input type="checkbox" name="callback" checked=${f.callback} onChange=${set('callback')} /> ${t('scheduleCallback')}</label>
    ${f.callback && html`<div class="row">
      <label>${t('due')}<input type="datetime-local" name="due" value=${f.due} onInput=${set('due')} /></label>
      <label>${t('phone')}<input name="task_phone" value=${f.phone} onInput=${set('phone')} /></label>
      <label class="grow">${t('taskNote')}<input name="task_note" value=${f.note} onInput=${set('note')} /></label>
    </div>`}
    <div class="row"><button type="submit">${t('finishWrapUp')}</button></div>
    <${ErrorLine} error=${error} />
  </form>`;
}

function Tasks({ version, onCallBack, canCall }) {
  const [data, error] = useLoad(() => api('GET', '/v1/desk/tasks'), [version]);
  if (!data) return html`<${Loading} error=${error} />`;
  const now = Date.now();
  return html`<div class="scroll"><table class="tasks">
    <thead><tr><th>${t('due')}</th><th>${t('phone')}</th><th>${t('taskNote')}</th><th>${t('status')}</th><th></th></tr></thead>
    <tbody>${data.tasks.map((k) => html`<tr data-task=${k.id} data-done=${k.done} class=${!k.done && k.due_at_ms <= now ? 'due' : ''}>
      <td>${when(k.due_at_ms)}</td><td>${k.phone || '—'}</td><td>${k.note}</td><td>${k.done ? t('done') : k.due_at_ms <= now ? t('dueNow') : t('taskOpen')}</td>
      <td>${!k.done && k.phone && html`<button type="button" class="secondary" name="call_back" disabled=${!canCall} onClick=${() => onCallBack(k)}>${t('callBack')}</button>`}</td>
    </tr>`)}</tbody></table>
    ${data.tasks.length === 0 && html`<p class="muted">${t('noTasks')}</p>`}
  </div>`;
}

/// The agent desk: the agent's state, the call ringing with its context, the call in progress,
/// its wrap-up, and the follow-ups due.
export function Desk({ me }) {
  const [agent, setAgent] = useState(null);
  const [offer, setOffer] = useState(null);
  const [call, setCall] = useState(null); // { id, popup, connected, ended, by }
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const [online, setOnline] = useState(false);
  const leg = useRef(null);
  // Calls the server said were put through, in case it says so before this page has drawn
  // the call (its answer and the event race).
  const through = useRef(new Set());

  useEffect(() => {
    const events = new EventSource('/v1/desk/events');
    events.onopen = () => setOnline(true);
    events.onerror = () => setOnline(false);
    events.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (e.type === 'state') setAgent(e.agent);
      if (e.type === 'offer') setOffer(e);
      if (e.type === 'offer_withdrawn') setOffer((o) => (o && o.call_id === e.call_id ? null : o));
      if (e.type === 'transcript') {
        // The caller's words to the agent, as they are recognised.
        setCall((c) => (c && c.id === e.call_id
          ? { ...c, popup: { ...c.popup, transcript: [...(c.popup.transcript || []), { speaker: e.who, text: e.text, live: true }] } }
          : c));
      }
      if (e.type === 'callback_failed') {
        hangUpMedia(leg.current);
        leg.current = null;
        setCall(null);
        setError(new Error(t('callbackFailed')));
        setVersion((v) => v + 1);
      }
      if (e.type === 'hold') setCall((c) => (c && c.id === e.call_id ? { ...c, held: e.on } : c));
      if (e.type === 'connected') {
        through.current.add(e.call_id);
        setCall((c) => (c && c.id === e.call_id ? { ...c, connected: true } : c));
      }
      if (e.type === 'ended') {
        hangUpMedia(leg.current);
        leg.current = null;
        setCall((c) => (c && c.id === e.call_id ? { ...c, ended: true, by: e.by } : c));
      }
    };
    return () => { events.close(); hangUpMedia(leg.current); };
  }, []);

  const setState = (state) => api('PUT', '/v1/desk/state', { state }).then(setAgent, setError);
  const accept = async () => {
    const o = offer;
    setError(null);
    try {
      leg.current = await connect(`/v1/desk/calls/${encodeURIComponent(o.call_id)}/accept`);
      setCall({ id: o.call_id, popup: o.popup, connected: through.current.has(o.call_id), ended: false });
      setOffer(null);
    } catch (err) {
      hangUpMedia(leg.current);
      leg.current = null;
      setOffer(null);
      setError(err);
    }
  };
  const decline = () => api('POST', `/v1/desk/calls/${encodeURIComponent(offer.call_id)}/decline`).then(() => setOffer(null), setError);
  const hangUp = () => api('POST', `/v1/desk/calls/${encodeURIComponent(call.id)}/hangup`).catch(setError);
  const hold = () => api('POST', `/v1/desk/calls/${encodeURIComponent(call.id)}/hold`, { on: !call.held }).catch(setError);
  const wrapped = () => { setCall(null); setVersion((v) => v + 1); };
  const callBack = async (task) => {
    setError(null);
    try {
      const l = await connect(`/v1/desk/tasks/${encodeURIComponent(task.id)}/call`);
      leg.current = l;
      const id = l.answer.call_id;
      setCall({ id, popup: { caller: task.phone, reason: t('callBack'), summary: task.note, transcript: [] }, connected: through.current.has(id), ended: false });
    } catch (err) {
      setError(err);
    }
  };

  const state = agent ? agent.state : 'offline';
  return html`<section class="desk" data-state=${state}>
    <div class="row deskbar">
      <h1 class="grow">${t('desk')} · ${me.name}</h1>
      <span class=${`pill ${online ? 'live' : ''}`}>${online ? t('connectedNow') : t('reconnecting')}</span>
      <label>${t('myState')}
        <select name="state" value=${state} onChange=${(e) => setState(e.target.value)} disabled=${state === 'on_call' || state === 'wrap_up'}>
          ${['available', 'away', 'offline', 'on_call', 'wrap_up'].map((s) => html`<option value=${s} disabled=${s === 'on_call' || s === 'wrap_up'}>${t(`st_${s}`)}</option>`)}
        </select>
      </label>
    </div>
    <${ErrorLine} error=${error} />
    ${offer && !call && html`<div class="box ringing" data-offer=${offer.call_id}>
      <h2>${t('incoming')} · ${offer.queue}</h2>
      <${ScreenPop} popup=${offer.popup} />
      <div class="row"><button type="button" name="accept" onClick=${accept}>${t('accept')}</button>
        <button type="button" class="danger" name="decline" onClick=${decline}>${t('decline')}</button></div>
    </div>`}
    ${call && html`<div class="box oncall" data-call=${call.id} data-connected=${call.connected} data-ended=${call.ended}>
      <h2>${call.ended ? t('callEnded') : call.connected ? t('deskTalking') : t('connecting')}</h2>
      <${ScreenPop} popup=${call.popup} />
      ${!call.ended && call.connected && html`<div class="row">
        <button type="button" class="secondary" name="hold" onClick=${hold}>${call.held ? t('resume') : t('hold')}</button>
        <${TransferTo} callId=${call.id} onError=${setError} />
        <button type="button" class="danger" name="hangup" onClick=${hangUp}>${t('hangUp')}</button>
      </div>`}
      ${call.held && html`<p class="muted" data-held="true">${t('onHold')}</p>`}
      ${(call.connected || call.ended) && html`<${OrderForm} callId=${call.id} popup=${call.popup} onPlaced=${(o) => setCall((x) => ({ ...x, popup: { ...x.popup, order: o } }))} />`}
    </div>`}
    ${call && call.ended && html`<${WrapUp} callId=${call.id} me=${me} phone=${call.popup.caller} onDone=${wrapped} />`}
    ${!offer && !call && html`<p class="muted idle">${state === 'available' ? t('waitingForCalls') : t('notTakingCalls')}</p>`}
    <h2>${t('followUps')}</h2>
    <${Tasks} version=${version} onCallBack=${callBack} canCall=${!call && !offer && (state === 'available' || state === 'away')} />
  </section>`;
}

export const hoursText = (hours) => hours.map((h) => `${h.days.join(',')} ${h.open}-${h.close}`).join('\n');
/// `1,2,3,4,5 09:00-18:00` per line.
export function parseHours(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = l.match(/^([\d,\s-]+)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/);
    if (!m) throw new Error(`${t('hoursFormat')}: ${l}`);
    const days = [];
    for (const part of m[1].split(',').map((x) => x.trim()).filter(Boolean)) {
      const [a, b] = part.split('-').map(Number);
      for (let d = a; d <= (b || a); d++) days.push(d);
    }
    return { days, open: m[2].padStart(5, '0'), close: m[3].padStart(5, '0') };
  });
}

/// Who is on the desk now and who waits, read every few seconds.
function Board({ tenant }) {
  const [board, setBoard] = useState(null);
  useEffect(() => {
    let live = true;
    const load = () => api('GET', `/v1/tenants/${encodeURIComponent(tenant)}/desk`).then((b) => live && setBoard(b), () => live && setBoard({ agents: [], waiting: [] }));
    load();
    const timer = setInterval(load, 3000);
    return () => { live = false; clearInterval(timer); };
  }, [tenant]);
  if (!board) return null;
  return html`<div class="two board">
    <div class="box"><h3>${t('nowOnDesk')}</h3>
      ${board.agents.length ? html`<ul class="counts">${board.agents.map((a) => html`<li data-agent=${a.id}><span>${a.name}</span><span class=${`pill st-${a.state}`}>${t(`st_${a.state}`)}</span></li>`)}</ul>` : html`<p class="muted">—</p>`}</div>
    <div class="box"><h3>${t('waitingCallers')}</h3>
      ${board.waiting.length ? html`<ul class="counts">${board.waiting.map((w) => html`<li><span>${w.caller || t('withheld')} · ${w.queue}</span><span>${Math.round(w.waiting_ms / 1000)} s</span></li>`)}</ul>` : html`<p class="muted">—</p>`}</div>
  </div>`;
}

const QUEUE_NUMBERS = ['ring_secs', 'announce_every_secs', 'max_wait_secs', 'service_level_secs'];

function QueueForm({ q, i, onChange, onRemove }) {
  const set = (k, v) => onChange({ ...q, [k]: v });
  const f = (k) => `queue.${i}.${k}`;
  return html`<div class="box queue" data-queue=${q.id}>
    <div class="row">
      <label>${t('f_id')}<input name=${f('id')} value=${q.id} size="10" onInput=${(e) => set('id', e.target.value)} /></label>
      <label class="grow">${t('tenantName')}<input name=${f('name')} value=${q.name} onInput=${(e) => set('name', e.target.value)} /></label>
      <label>${t('group')}<input name=${f('group')} value=${q.group} size="10" onInput=${(e) => set('group', e.target.value)} /></label>
      <button type="button" class="danger" onClick=${onRemove}>${t('delete')}</button>
    </div>
    <div class="fields">
      ${QUEUE_NUMBERS.map((k) => html`<label>${t(`q_${k}`)}<input type="number" name=${f(k)} value=${q[k]} onInput=${(e) => set(k, e.target.value)} /></label>`)}
      <label>${t('q_fallback')}<select name=${f('fallback')} value=${q.fallback.kind} onChange=${(e) => set('fallback', e.target.value === 'sip' ? { kind: 'sip', uri: q.fallback.uri || '' } : { kind: e.target.value })}>
        <option value="callback">${t('c_callback')}</option><option value="bot">${t('c_bot')}</option><option value="sip">SIP</option></select></label>
      ${q.fallback.kind === 'sip' && html`<label>${t('f_uri')}<input name=${f('fallback_uri')} value=${q.fallback.uri} onInput=${(e) => set('fallback', { kind: 'sip', uri: e.target.value })} /></label>`}
      <label class="check"><input type="checkbox" name=${f('whisper')} checked=${q.whisper} onChange=${(e) => set('whisper', e.target.checked)} /> ${t('q_whisper')}</label>
    </div>
    <label>${t('q_hours')}<textarea name=${f('hours')} rows="2" value=${q.hoursText} onInput=${(e) => set('hoursText', e.target.value)} placeholder="1-5 09:00-18:00"></textarea></label>
  </div>`;
}

/// The tenant's side of the desk: its queues, and the people who sign in to take calls.
export function DeskAdmin({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}`;
  const [data, error, reload] = useLoad(() => Promise.all([api('GET', base), api('GET', `${base}/desk/users`)]), [tenant]);
  const [queues, setQueues] = useState(null);
  const [state, setState] = useState(null);
  const [user, setUser] = useState({ name: '', login: '', password: '', groups: '' });
  const [userState, setUserState] = useState(null);
  if (!data) return html`<${Loading} error=${error} />`;
  const [t0, users] = data;
  const qs = queues ?? t0.queues.map((q) => ({ ...q, hoursText: hoursText(q.hours) }));
  const edit = (next) => { setQueues(next); setState(null); };
  const saveQueues = async (e) => {
    e.preventDefault();
    try {
      const body = qs.map(({ hoursText: h, ...q }) => {
        const out = { ...q, hours: parseHours(h || '') };
        for (const k of QUEUE_NUMBERS) {
          const n = Number(q[k]);
          if (q[k] === '' || !Number.isInteger(n)) throw new Error(`${t(`q_${k}`)}: ${t('notANumber')}`);
          out[k] = n;
        }
        return out;
      });
      await api('PATCH', base, { queues: body });
      setState({ ok: true });
      reload();
    } catch (err) {
      setState({ error: err });
    }
  };
  const addUser = async (e) => {
    e.preventDefault();
    try {
      await api('POST', `${base}/desk/users`, { ...user, groups: user.groups.split(/[,，\s]+/).filter(Boolean) });
      setUser({ name: '', login: '', password: '', groups: '' });
      setUserState({ ok: true });
      reload();
    } catch (err) {
      setUserState({ error: err });
    }
  };
  const removeUser = (id) => api('DELETE', `${base}/desk/users/${encodeURIComponent(id)}`).then(reload, (err) => setUserState({ error: err }));
  const setU = (k) => (e) => setUser({ ...user, [k]: e.target.value });
  const blank = { id: '', name: '', group: '', ring_secs: 15, announce_every_secs: 20, max_wait_secs: 300, service_level_secs: 20, fallback: { kind: 'callback' }, whisper: false, hours: [], hoursText: '' };
  return html`<section class="deskadmin">
    <h1>${t('agents')}</h1>
    <${Board} tenant=${tenant} />
    <h2>${t('queues')}</h2>
    <p class="muted">${t('queuesHelp')}</p>
    <form class="queues" onSubmit=${saveQueues}>
      ${qs.map((q, i) => html`<${QueueForm} key=${i} q=${q} i=${i} onChange=${(n) => edit(qs.map((x, j) => (i === j ? n : x)))} onRemove=${() => edit(qs.filter((_, j) => j !== i))} />`)}
      <div class="row"><button type="button" class="secondary" onClick=${() => edit([...qs, blank])}>${t('addQueue')}</button>
        <button type="submit">${t('save')}</button>${state && state.ok && html`<span class="ok">${t('saved')}</span>`}</div>
      <${ErrorLine} error=${state && state.error} />
    </form>
    <h2>${t('deskUsers')}</h2>
    <div class="scroll"><table class="deskusers"><thead><tr><th>${t('name')}</th><th>${t('login')}</th><th>${t('groups')}</th><th></th></tr></thead>
      <tbody>${users.users.map((u) => html`<tr data-user=${u.login}><td>${u.name}</td><td><code>${u.login}</code></td><td>${u.groups.join(', ')}</td>
        <td><button type="button" class="link danger" onClick=${() => removeUser(u.id)}>${t('delete')}</button></td></tr>`)}</tbody></table></div>
    <form class="box row newuser" onSubmit=${addUser}>
      <label>${t('name')}<input name="user_name" value=${user.name} onInput=${setU('name')} /></label>
      <label>${t('login')}<input name="user_login" value=${user.login} onInput=${setU('login')} autocomplete="off" /></label>
      <label>${t('password')}<input name="user_password" type="password" value=${user.password} onInput=${setU('password')} autocomplete="new-password" /></label>
      <label>${t('groups')}<input name="user_groups" value=${user.groups} onInput=${setU('groups')} /></label>
      <button type="submit">${t('addDeskUser')}</button>
      ${userState && userState.ok && html`<span class="ok">${t('saved')}</span>`}
    </form>
    <${ErrorLine} error=${userState && userState.error} />
  </section>`;
}
