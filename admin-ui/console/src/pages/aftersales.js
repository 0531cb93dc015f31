// After the sale: tickets (returns, exchanges, complaints, inquiries) and outbound
// campaigns (follow-ups and surveys), with survey results and the do-not-call list.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, query } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';
import { hoursText, parseHours } from './desk.js';

const KINDS = ['complaint', 'return', 'exchange', 'inquiry'];
const TICKET_STATUSES = ['open', 'in_progress', 'resolved', 'closed'];

function TicketRow({ tk, base, users, onChanged, onError }) {
  const [note, setNote] = useState('');
  const [open, setOpen] = useState(false);
  const patch = async (body) => {
    onError(null);
    try {
      await api('PATCH', `${base}/${encodeURIComponent(tk.id)}`, body);
      setNote('');
      onChanged();
    } catch (err) {
      onError(err);
    }
  };
  const overdue = ['open', 'in_progress'].includes(tk.status) && Date.now() > tk.due_at_ms;
  return html`<tr data-ticket=${tk.number} data-status=${tk.status}>
      <td><button class="link" onClick=${() => setOpen(!open)}>${tk.number}</button></td>
      <td><span class=${`tag k-${tk.kind}`}>${t('tk_' + tk.kind)}</span>${tk.needs_person && html` <span class="tag warn">${t('needsPerson')}</span>`}</td>
      <td>${tk.customer_name || ''}<div class="muted">${tk.phone}</div></td>
      <td>${tk.order_number ?? '—'}</td>
      <td class="said">${tk.description}${open && html`<ul class="notes">${tk.notes.map((n) => html`<li><span class="muted">${when(n.at_ms)} · ${n.by}</span> ${n.text}</li>`)}</ul>
        ${tk.call_id && html`<a href=${`#/t/${encodeURIComponent(tk.tenant_id)}/calls/${encodeURIComponent(tk.call_id)}`}>${t('theCall')}</a>`}`}</td>
      <td class=${overdue ? 'error' : ''}>${when(tk.due_at_ms)}${overdue && html`<div>${t('overdue')}</div>`}</td>
      <td><select aria-label=${t('status')} name="status" value=${tk.status} onChange=${(e) => patch({ status: e.target.value })}>
        ${TICKET_STATUSES.map((s) => html`<option value=${s}>${t('ts_' + s)}</option>`)}</select></td>
      <td><select aria-label=${t('assignee')} name="assignee" value=${tk.assignee || ''} onChange=${(e) => patch({ assignee: e.target.value })}>
        <option value="">—</option>${((users && users.users) || []).map((u) => html`<option value=${u.id}>${u.name}</option>`)}</select></td>
      <td><form class="inline" onSubmit=${(e) => { e.preventDefault(); if (note.trim()) patch({ note }); }}>
        <input name="note" aria-label=${t('notes')} value=${note} onInput=${(e) => setNote(e.target.value)} placeholder=${t('addNote')} />
        <button type="submit">${t('add')}</button></form></td>
    </tr>`;
}

function NewTicket({ base, onCreated }) {
  const [form, setForm] = useState({ kind: 'complaint', phone: '', order_id: '', description: '' });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const body = { ...form, order_id: form.order_id.trim() || undefined };
      await api('POST', base, body);
      setForm({ ...form, phone: '', order_id: '', description: '' });
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="card newticket" onSubmit=${submit}>
    <h2>${t('newTicket')}</h2>
    <label>${t('kind')}<select name="kind" value=${form.kind} onChange=${set('kind')}>${KINDS.map((k) => html`<option value=${k}>${t('tk_' + k)}</option>`)}</select></label>
    <label>${t('phone')}<input name="phone" value=${form.phone} onInput=${set('phone')} /></label>
    <label>${t('orderId')}<input name="order_id" value=${form.order_id} onInput=${set('order_id')} /></label>
    <label class="wide">${t('description')}<textarea name="description" rows="2" value=${form.description} onInput=${set('description')}></textarea></label>
    <button type="submit">${t('openTicket')}</button>
    <${ErrorLine} error=${error} />
  </form>`;
}

export function Tickets({ tenant }) {
  const [status, setStatus] = useState('');
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/tickets`;
  const [data, error, reload] = useLoad(() => api('GET', base + query({ status })), [tenant, status]);
  const [users] = useLoad(() => api('GET', `/v1/tenants/${encodeURIComponent(tenant)}/desk/users`), [tenant]);
  const [failed, setFailed] = useState(null);
  return html`<section data-page="tickets">
    <h1>${t('tickets')}</h1>
    ${data && html`<p class="figures"><span data-figure="open"><b>${data.open}</b> ${t('ticketsOpen')}</span>
      <span data-figure="overdue" class=${data.overdue ? 'error' : ''}><b>${data.overdue}</b> ${t('overdue')}</span></p>`}
    <form class="filters"><label>${t('status')}<select value=${status} onChange=${(e) => setStatus(e.target.value)}>
      <option value="">${t('any')}</option>${TICKET_STATUSES.map((s) => html`<option value=${s}>${t('ts_' + s)}</option>`)}</select></label></form>
    <${ErrorLine} error=${failed} />
    <div class="list">${!data ? html`<${Loading} error=${error} />` : data.tickets.length === 0 ? html`<p class="muted">${t('noTickets')}</p>` : html`<div class="scroll"><table class="tickets">
      <thead><tr><th>#</th><th>${t('kind')}</th><th>${t('customer')}</th><th>${t('order')}</th><th>${t('description')}</th><th>${t('due')}</th><th>${t('status')}</th><th>${t('assignee')}</th><th>${t('notes')}</th></tr></thead>
      <tbody>${data.tickets.map((tk) => html`<${TicketRow} key=${tk.id} tk=${tk} base=${base} users=${users} onChanged=${reload} onError=${setFailed} />`)}</tbody></table></div>`}</div>
    <${NewTicket} base=${base} onCreated=${reload} />
  </section>`;
}

// ----- campaigns -----

function Progress({ p }) {
  const part = (n, cls, label) => (n ? html`<span class=${`seg ${cls}`} style=${`flex:${n}`} title=${`${label}: ${n}`}></span>` : null);
  return html`<div class="progress" aria-label=${t('progress')}>
    ${part(p.completed, 'ok', t('cs_completed'))}${part(p.unreached, 'bad', t('cs_unreached'))}${part(p.do_not_call, 'muted', t('cs_do_not_call'))}
    ${part(p.dialing, 'live', t('cs_dialing'))}${part(p.pending + p.cancelled, 'rest', t('cs_pending'))}
  </div>
  <div class="muted small">${p.completed}/${p.total} ${t('cs_completed')} · ${p.unreached} ${t('cs_unreached')} · ${p.do_not_call} ${t('cs_do_not_call')} · ${p.pending} ${t('cs_pending')} · ${p.attempts} ${t('attempts')}</div>`;
}

function Controls({ c, base, onChanged, onError }) {
  const act = (what) => async () => {
    onError(null);
    try {
      await api('POST', `${base}/${encodeURIComponent(c.id)}/${what}`, {});
      onChanged();
    } catch (err) {
      onError(err);
    }
  };
  if (c.state === 'completed' || c.state === 'cancelled') return null;
  return html`<span class="controls">
    ${c.state === 'running' ? html`<button name="pause" onClick=${act('pause')}>${t('pause')}</button>` : html`<button name="resume" onClick=${act('resume')}>${t('resumeCampaign')}</button>`}
    <button name="cancel" class="danger" onClick=${act('cancel')}>${t('cancel')}</button></span>`;
}

function Survey({ s }) {
  if (!s || !s.responses) return html`<p class="muted">${t('noSurveys')}</p>`;
  const most = Math.max(1, ...s.distribution);
  return html`<div class="survey" data-csat=${s.csat}>
    <p class="figures"><span data-figure="csat"><b>${s.csat == null ? '—' : Math.round(s.csat * 100) + '%'}</b> CSAT</span>
      <span><b>${s.average == null ? '—' : s.average.toFixed(1)}</b> ${t('averageRating')}</span><span><b>${s.rated}</b> ${t('rated')}</span></p>
    <div class="bars">${s.distribution.map((n, i) => html`<div class="barrow"><span>${i + 1}</span><span class="bar" style=${`width:${(n / most) * 100}%`}></span><span>${n}</span></div>`)}</div>
    ${s.comments.length > 0 && html`<h3>${t('comments')}</h3><ul class="comments">${s.comments.map((c) => html`<li><span class="muted">${when(c.at_ms)}${c.rating ? ` · ${c.rating}/5` : ''}</span> ${c.comment}</li>`)}</ul>`}
  </div>`;
}

export function CampaignView({ tenant, id }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/campaigns`;
  const [c, error, reload] = useLoad(() => api('GET', `${base}/${encodeURIComponent(id)}` + query({ limit: 500 })), [tenant, id]);
  const [failed, setFailed] = useState(null);
  if (!c) return html`<${Loading} error=${error} />`;
  return html`<section data-page="campaign">
    <p><a href=${`#/t/${encodeURIComponent(tenant)}/campaigns`}>← ${t('campaigns')}</a></p>
    <h1>${c.name} <span class=${`tag s-${c.state}`}>${t('st_' + c.state)}</span> <${Controls} c=${c} base=${base} onChanged=${reload} onError=${setFailed} /></h1>
    <p class="muted">${c.source} · ${t('window')}: ${hoursText(c.window)} · ${t('maxAttempts')}: ${c.max_attempts}</p>
    <${ErrorLine} error=${failed} />
    <${Progress} p=${c.progress} />
    <h2>${t('surveyResults')}</h2>
    <${Survey} s=${c.surveys} />
    <h2>${t('recipients')}</h2>
    <div class="scroll"><table class="recipients">
      <thead><tr><th>${t('phone')}</th><th>${t('name')}</th><th>${t('status')}</th><th>${t('attemptsCol')}</th><th>${t('nextCall')}</th></tr></thead>
      <tbody>${c.recipients.map((r) => html`<tr data-recipient=${r.index} data-status=${r.status}>
        <td>${r.phone}</td><td>${r.name || ''}</td><td>${t('cs_' + r.status)}</td>
        <td>${r.attempts.map((a) => html`<div>${when(a.started_at_ms)} · ${a.outcome ? t('ao_' + a.outcome) : t('cs_dialing')}
          ${a.call_id && html` <a href=${`#/t/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(a.call_id)}`}>${t('theCall')}</a>`}</div>`)}</td>
        <td>${r.status === 'pending' ? when(r.next_at_ms) : ''}</td></tr>`)}</tbody></table></div>
  </section>`;
}

function NewCampaign({ base, onCreated }) {
  const [form, setForm] = useState({ name: '', purpose: 'survey', window: '1-7 10:00-20:00', max_attempts: 3, busy: 10, no_answer: 30, failed: 60, source: 'csv', status: 'completed', days_ago: 1 });
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    try {
      const body = {
        name: form.name,
        flow_input: { purpose: form.purpose },
        window: parseHours(form.window),
        max_attempts: Number(form.max_attempts),
        retry: { busy_secs: Number(form.busy) * 60, no_answer_secs: Number(form.no_answer) * 60, failed_secs: Number(form.failed) * 60 },
      };
      if (form.source === 'csv') {
        const file = e.target.querySelector('input[name=csv]')?.files?.[0];
        if (!file) throw new Error(t('chooseCsv'));
        body.csv = await file.text();
      } else {
        body.from_orders = { status: form.status, days_ago: Number(form.days_ago) };
      }
      const made = await api('POST', base, body);
      setResult(made);
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="card newcampaign" onSubmit=${submit}>
    <h2>${t('newCampaign')}</h2>
    <label>${t('tenantName')}<input name="name" required value=${form.name} onInput=${set('name')} /></label>
    <label>${t('purpose')}<select name="purpose" value=${form.purpose} onChange=${set('purpose')}>
      <option value="survey">${t('pu_survey')}</option><option value="follow-up">${t('pu_follow_up')}</option></select></label>
    <label>${t('window')}<textarea name="window" rows="2" value=${form.window} onInput=${set('window')} placeholder="1-5 10:00-20:00"></textarea><span class="hint">${t('windowHint')}</span></label>
    <label>${t('maxAttempts')}<input name="max_attempts" type="number" min="1" max="10" value=${form.max_attempts} onInput=${set('max_attempts')} /></label>
    <label>${t('retryBusy')}<input name="busy" type="number" min="1" value=${form.busy} onInput=${set('busy')} /></label>
    <label>${t('retryNoAnswer')}<input name="no_answer" type="number" min="1" value=${form.no_answer} onInput=${set('no_answer')} /></label>
    <label>${t('retryFailed')}<input name="failed" type="number" min="1" value=${form.failed} onInput=${set('failed')} /></label>
    <fieldset><legend>${t('recipients')}</legend>
      <label class="radio"><input type="radio" name="source" value="csv" checked=${form.source === 'csv'} onChange=${set('source')} /> ${t('fromCsv')}</label>
      ${form.source === 'csv' && html`<label>${t('csvFile')}<input type="file" name="csv" accept=".csv,text/csv" /><span class="hint">${t('csvHint')}</span></label>`}
      <label class="radio"><input type="radio" name="source" value="orders" checked=${form.source === 'orders'} onChange=${set('source')} /> ${t('fromOrders')}</label>
      ${form.source === 'orders' && html`<label>${t('status')}<select name="order_status" value=${form.status} onChange=${set('status')}>
        ${['completed', 'ready', 'out_for_delivery', 'cancelled'].map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
        <label>${t('daysAgo')}<input name="days_ago" type="number" min="0" max="30" value=${form.days_ago} onInput=${set('days_ago')} /></label>`}
    </fieldset>
    <button type="submit">${t('startCampaign')}</button>
    <${ErrorLine} error=${error} />
    ${result && html`<div class="result" role="status"><p>${t('imported')}: <b>${result.imported}</b>${result.duplicates ? ` · ${t('duplicates')}: ${result.duplicates}` : ''}</p>
      ${result.errors.length > 0 && html`<ul class="rowerrors">${result.errors.map((r) => html`<li>${t('line')} ${r.line}: ${r.message}</li>`)}</ul>`}</div>`}
  </form>`;
}

function DoNotCall({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/do-not-call`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [phone, setPhone] = useState('');
  const [failed, setFailed] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    setFailed(null);
    try {
      await api('POST', base, { phone });
      setPhone('');
      reload();
    } catch (err) {
      setFailed(err);
    }
  };
  const remove = (p) => async () => {
    await api('DELETE', `${base}/${encodeURIComponent(p)}`).catch(setFailed);
    reload();
  };
  return html`<div class="card dnc"><h2>${t('doNotCall')}</h2>
    ${!data ? html`<${Loading} error=${error} />` : data.numbers.length === 0 ? html`<p class="muted">${t('nobodyListed')}</p>` : html`<ul>${data.numbers.map((n) => html`<li data-dnc=${n.phone}>${n.phone} <span class="muted">${t('src_' + n.source)} · ${when(n.added_at_ms)}</span> <button class="link" onClick=${remove(n.phone)}>${t('remove')}</button></li>`)}</ul>`}
    <form class="inline" onSubmit=${add}><input name="dnc" aria-label=${t('phone')} value=${phone} onInput=${(e) => setPhone(e.target.value)} placeholder="+886912345678" /><button type="submit">${t('add')}</button></form>
    <${ErrorLine} error=${failed} /></div>`;
}

export function Campaigns({ tenant, id }) {
  if (id) return html`<${CampaignView} tenant=${tenant} id=${id} />`;
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/campaigns`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [failed, setFailed] = useState(null);
  return html`<section data-page="campaigns">
    <h1>${t('campaigns')}</h1>
    <div>${data && !data.dialling && html`<p class="warn">${t('notDialling')}</p>`}</div>
    <${ErrorLine} error=${failed} />
    <div class="list">${!data ? html`<${Loading} error=${error} />` : data.campaigns.length === 0 ? html`<p class="muted">${t('noCampaigns')}</p>` : html`<div class="scroll"><table class="campaigns">
      <thead><tr><th>${t('tenantName')}</th><th>${t('status')}</th><th>${t('progress')}</th><th></th></tr></thead>
      <tbody>${data.campaigns.map((c) => html`<tr data-campaign=${c.id} data-state=${c.state}>
        <td><a href=${`#/t/${encodeURIComponent(tenant)}/campaigns/${encodeURIComponent(c.id)}`}>${c.name}</a><div class="muted small">${c.source} · ${when(c.created_at_ms)}</div></td>
        <td><span class=${`tag s-${c.state}`}>${t('st_' + c.state)}</span></td>
        <td class="wide"><${Progress} p=${c.progress} /></td>
        <td><${Controls} c=${c} base=${base} onChanged=${reload} onError=${setFailed} /></td></tr>`)}</tbody></table></div>`}</div>
    <div class="two"><${NewCampaign} base=${base} onCreated=${reload} /><${DoNotCall} tenant=${tenant} /></div>
  </section>`;
}
