import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../html.js';
import { api, query } from '../api.js';
import { t, lang } from '../i18n.js';
import { Loading, useLoad } from './common.js';

const DAY = 86400000;

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const secs = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(1)} s`);
const ms = (x) => (x === null || x === undefined ? '—' : `${x} ms`);
const money = (rev) => Object.entries(rev || {}).map(([c, v]) => `${c} ${v.toLocaleString()}`).join(' · ') || '0';

/// The figures of a report, each with its definition from the API.
function Figures({ totals, definitions }) {
  // The definition in the console's language: Chinese from the console, English from the API.
  const def = (f) => (lang === 'zh-TW' ? t(`def_${f}`) : (definitions.find((d) => d.figure === f) || {}).definition);
  const cards = [
    ['offered', totals.offered, 'offered'],
    ['answered', totals.answered, 'answered'],
    ['containment_rate', pct(totals.containment_rate), 'containment_rate'],
    ['transfer_rate', pct(totals.transfer_rate), 'transfer_rate'],
    ['resolution_rate', pct(totals.resolution_rate), 'resolution_rate'],
    ['abandonment_rate', pct(totals.abandonment_rate), 'abandonment_rate'],
    ['average_handle_time_s', secs(totals.average_handle_time_s), 'average_handle_time_s'],
    ['orders_n', totals.orders, 'orders'],
    ['revenue', money(totals.revenue), 'orders'],
    ['reply_latency', `${ms(totals.reply_latency_p50_ms)} / ${ms(totals.reply_latency_p95_ms)}`, 'reply_latency'],
    ['flow_errors', totals.flow_errors, 'flow_errors'],
  ];
  if (totals.queued > 0) {
    // People at the desk: the queue and agent figures (Genesys and Amazon Connect definitions).
    cards.push(
      ['queued', totals.queued, 'queued'],
      ['average_speed_of_answer_s', secs(totals.average_speed_of_answer_s), 'average_speed_of_answer_s'],
      ['average_time_in_queue_s', secs(totals.average_time_in_queue_s), 'average_time_in_queue_s'],
      ['queue_abandonment_rate', pct(totals.queue_abandonment_rate), 'queue_abandonment_rate'],
      ['service_level', pct(totals.service_level), 'service_level'],
      ['agent_handle_time_s', secs(totals.agent_handle_time_s), 'agent_handle_time_s'],
      ['average_wrap_up_s', secs(totals.average_wrap_up_s), 'average_wrap_up_s'],
      ['calls_per_agent', (totals.calls_per_agent || []).map(([n, c]) => `${n} ${c}`).join(' · ') || '—', 'calls_per_agent'],
      ['transfers_per_agent', (totals.transfers_per_agent || []).map(([n, c]) => `${n} ${c}`).join(' · ') || '—', 'transfers_per_agent'],
    );
  }
  return html`<div class="cards">
    ${cards.map(([label, value, figure]) => html`
      <div class="card" data-figure=${label}>
        <div class="label">${t(label)}</div>
        <div class="value">${value}</div>
        <details><summary>${t('definition')}</summary><p>${def(figure)}</p></details>
      </div>`)}
  </div>`;
}

function Chart({ series }) {
  const el = useRef(null);
  useEffect(() => {
    if (!el.current || series.length === 0) return;
    const xs = series.map((r) => r.start_ms / 1000);
    const width = Math.max(280, el.current.clientWidth || 600);
    const plot = new uPlot(
      {
        width,
        height: 220,
        series: [
          {},
          { label: t('answered'), stroke: '#2563eb', width: 2 },
          { label: t('transfer_rate').replace(/rate|率/i, ''), stroke: '#d97706', width: 2 },
          { label: t('orders_n'), stroke: '#059669', width: 2 },
        ],
        axes: [{}, { size: 40 }],
      },
      [xs, series.map((r) => r.answered), series.map((r) => Math.round((r.transfer_rate || 0) * r.answered)), series.map((r) => r.orders)],
      el.current,
    );
    // The chart follows its box (a phone turned, a window resized).
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.current.clientWidth - 16), height: 220 }));
    resize.observe(el.current);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, lang]);
  return html`<div class="chart" ref=${el}></div>`;
}

export function Period({ value, onChange }) {
  const set = (k) => (e) => onChange({ ...value, [k]: e.target.value });
  return html`<form class="filters" onSubmit=${(e) => e.preventDefault()}>
    <label>${t('period')}
      <select value=${value.days} onChange=${set('days')}>
        <option value="1">${t('today')}</option>
        <option value="7">${t('last7')}</option>
        <option value="30">${t('last30')}</option>
      </select></label>
    <label>${t('bucket')}
      <select value=${value.bucket} onChange=${set('bucket')}>
        <option value="hour">${t('hour')}</option>
        <option value="day">${t('day')}</option>
        <option value="week">${t('week')}</option>
      </select></label>
  </form>`;
}

export function range(p) {
  const to = Date.now() + 60000;
  const from = p.days === '1' ? new Date(new Date().setHours(0, 0, 0, 0)).getTime() : to - Number(p.days) * DAY;
  return { from, to, bucket: p.bucket };
}

function Tags({ tags }) {
  if (!tags || tags.length === 0) return null;
  return html`<h3>${t('topTags')}</h3><ul class="tags">${tags.slice(0, 10).map(([tag, n]) => html`<li><code>${tag}</code> ${n}</li>`)}</ul>`;
}

export function Dashboard({ tenant }) {
  const [p, setP] = useState({ days: '7', bucket: 'day' });
  const [stats, error] = useLoad(() => api('GET', `/v1/tenants/${encodeURIComponent(tenant)}/stats${query(range(p))}`), [tenant, p.days, p.bucket]);
  return html`<section data-page="dashboard">
    <h1>${t('dashboard')}</h1>
    <${Period} value=${p} onChange=${setP} />
    ${!stats ? html`<${Loading} error=${error} />` : html`
      ${stats.totals.offered + stats.totals.outbound === 0 && html`<p class="muted">${t('noData')}</p>`}
      <${Figures} totals=${stats.totals} definitions=${stats.definitions} />
      <${Chart} series=${stats.series} />
      <${Tags} tags=${stats.totals.tags} />`}
  </section>`;
}

export function Overview() {
  const [p, setP] = useState({ days: '7', bucket: 'day' });
  const [stats, error] = useLoad(() => api('GET', `/v1/stats${query(range(p))}`), [p.days, p.bucket]);
  return html`<section data-page="overview">
    <h1>${t('allTenants')}</h1>
    <${Period} value=${p} onChange=${setP} />
    ${!stats ? html`<${Loading} error=${error} />` : html`
      <${Figures} totals=${stats.totals} definitions=${stats.definitions} />
      <${Chart} series=${stats.series} />
      <h2>${t('perTenant')}</h2>
      <div class="scroll"><table>
        <thead><tr><th>${t('tenant')}</th><th>${t('offered')}</th><th>${t('containment_rate')}</th><th>${t('transfer_rate')}</th><th>${t('resolution_rate')}</th><th>${t('orders_n')}</th></tr></thead>
        <tbody>${stats.tenants.map((x) => html`<tr>
          <td><a href=${`#/t/${encodeURIComponent(x.id)}/dashboard`}>${x.name}</a></td>
          <td>${x.totals.offered}</td><td>${pct(x.totals.containment_rate)}</td><td>${pct(x.totals.transfer_rate)}</td>
          <td>${pct(x.totals.resolution_rate)}</td><td>${x.totals.orders}</td></tr>`)}</tbody>
      </table></div>`}
  </section>`;
}
