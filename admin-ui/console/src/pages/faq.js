import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

const blank = { question: '', answer: '', language: 'zh', keywords: '' };
const input = (e) => ({ question: e.question, answer: e.answer, language: e.language, keywords: e.keywords.split(/[,，、]/).map((k) => k.trim()).filter(Boolean) });

/// One entry as a form; `onSave(fields)` writes it and reports the server's error.
export function Entry({ entry, onSave, onDelete }) {
  const [f, setF] = useState({ ...entry, keywords: (entry.keywords || []).join(', ') });
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const set = (k) => (e) => { setF({ ...f, [k]: e.target.value }); setSaved(false); };
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await onSave(input(f));
      setSaved(true);
      // The blank form empties for the next entry; a suggestion stays as it was added.
      if (!entry.id && !entry.question) setF({ ...blank });
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="faq" onSubmit=${submit} data-faq=${entry.id || 'new'}>
    <label>${t('question')}<input name="question" value=${f.question} onInput=${set('question')} /></label>
    <label>${t('answer')}<textarea name="answer" rows="2" value=${f.answer} onInput=${set('answer')}></textarea></label>
    <div class="row">
      <label>${t('language')}<select name="language" value=${f.language} onChange=${set('language')}><option value="zh">中文</option><option value="en">English</option></select></label>
      <label class="grow">${t('keywords')}<input name="keywords" value=${f.keywords} onInput=${set('keywords')} /></label>
    </div>
    <div class="row">
      <button type="submit">${entry.id ? t('save') : t('add')}</button>
      ${entry.id && html`<button type="button" class="danger" onClick=${onDelete}>${t('delete')}</button>`}
      ${saved && html`<span class="ok">${t('saved')}</span>`}
    </div>
    <${ErrorLine} error=${error} />
  </form>`;
}

export function Faq({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/faq`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [failed, setFailed] = useState(null);
  if (!data) return html`<${Loading} error=${error} />`;
  const save = (id) => async (fields) => {
    if (id) await api('PUT', `${base}/${encodeURIComponent(id)}`, fields);
    else await api('POST', base, fields);
    reload();
  };
  const del = (id) => () => api('DELETE', `${base}/${encodeURIComponent(id)}`).then(reload, setFailed);
  return html`<section>
    <h1>${t('faq')}</h1>
    <${ErrorLine} error=${failed} />
    <h2>${t('add')}</h2>
    <${Entry} key="new" entry=${blank} onSave=${save(null)} />
    <h2>${t('faq')} (${data.entries.length})</h2>
    ${data.entries.map((e) => html`<${Entry} key=${e.id + e.updated_at_ms} entry=${e} onSave=${save(e.id)} onDelete=${del(e.id)} />`)}
  </section>`;
}
