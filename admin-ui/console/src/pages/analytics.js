import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, query } from '../api.js';
import { t } from '../i18n.js';
import { Loading, useLoad } from './common.js';
import { Period, range } from './dashboard.js';
import { Entry } from './faq.js';

const pct = (x) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

function Counts({ title, rows }) {
  return html`<div class="box"><h3>${title}</h3>
    ${rows.length === 0 ? html`<p class="muted">—</p>` : html`<ol class="counts">${rows.slice(0, 10).map(([k, n]) => html`<li><span>${k}</span> <b>${n}</b></li>`)}</ol>`}
  </div>`;
}

/// One group of turns the bot failed, and the FAQ entry it suggests, ready to answer and add.
function Group({ tenant, group, index }) {
  const s = group.suggestion;
  const entry = { question: s.question, answer: '', language: s.language, keywords: s.keywords };
  const add = (fields) => api('POST', `/v1/tenants/${encodeURIComponent(tenant)}/faq`, fields);
  return html`<div class="box group" data-group=${index}>
    <p><b>${group.turns}</b> ${t('turnsSaid')}${group.led_to_transfer > 0 ? html` · ${group.led_to_transfer} ${t('beforeTransfer')}` : ''}</p>
    <ul class="phrasings">${group.phrasings.map((p) => html`<li>${p}</li>`)}</ul>
    <p class="muted">${t('calls')}: ${group.call_ids.map((id) => html`<a href=${`#/t/${encodeURIComponent(tenant)}/calls/${encodeURIComponent(id)}`}>${id.slice(-6)}</a> `)}</p>
    <details><summary>${t('suggestFaq')}</summary><${Entry} entry=${entry} onSave=${add} /></details>
  </div>`;
}

export function Analytics({ tenant }) {
  const [p, setP] = useState({ days: '7', bucket: 'day' });
  const [data, error] = useLoad(() => api('GET', `/v1/tenants/${encodeURIComponent(tenant)}/analytics${query(range(p))}`), [tenant, p.days]);
  return html`<section>
    <h1>${t('analytics')}</h1>
    <${Period} value=${p} onChange=${setP} />
    ${!data ? html`<${Loading} error=${error} />` : html`
      <div class="cards">
        <div class="card" data-figure="not_understood_rate"><div class="label">${t('notUnderstood')}</div><div class="value">${pct(data.not_understood_rate)}</div>
          <details><summary>${t('definition')}</summary><p>${t('def_not_understood_rate')}</p></details></div>
      </div>
      <div class="two">
        <${Counts} title=${t('topIntents')} rows=${data.intents} />
        <${Counts} title=${t('topQuestions')} rows=${data.questions} />
      </div>
      <h2>${t('missed')}</h2>
      <p class="muted">${t('missedHelp')} ${data.by_meaning ? t('byMeaning') : t('byWords')}</p>
      ${data.groups.length === 0 && html`<p class="muted">${t('noMissed')}</p>`}
      ${data.groups.map((g, i) => html`<${Group} key=${g.phrasings[0]} tenant=${tenant} group=${g} index=${i} />`)}`}
  </section>`;
}
