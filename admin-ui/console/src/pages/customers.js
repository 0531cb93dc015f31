import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t, when } from '../i18n.js';
import { ErrorLine, Loading, useLoad } from './common.js';

const blank = { name: '', phone: '', address: '', notes: '', blocked: false };

/// Known callers: add one, and block or unblock (a blocked caller is refused politely).
export function Customers({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/customers`;
  const [data, error, reload] = useLoad(() => api('GET', base), [tenant]);
  const [f, setF] = useState(blank);
  const [failed, setFailed] = useState(null);
  const [filter, setFilter] = useState('');
  if (!data) return html`<${Loading} error=${error} />`;
  const save = (c) => api('POST', base, {
    name: c.name, phone: c.phone, address: c.address || null, notes: c.notes || null, blocked: c.blocked,
  }).then(() => { setFailed(null); reload(); }, setFailed);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const shown = data.customers.filter((c) => !filter || `${c.name} ${c.phone}`.includes(filter));
  return html`<section>
    <h1>${t('customers')}</h1>
    <form class="box row" onSubmit=${(e) => { e.preventDefault(); save(f).then(() => setF(blank)); }}>
      <label>${t('name')}<input name="cname" value=${f.name} onInput=${set('name')} /></label>
      <label>${t('phone')}<input name="cphone" value=${f.phone} onInput=${set('phone')} /></label>
      <label class="grow">${t('address')}<input name="caddress" value=${f.address} onInput=${set('address')} /></label>
      <label>${t('blocked')}<input type="checkbox" name="cblocked" checked=${f.blocked} onChange=${set('blocked')} /></label>
      <button type="submit">${t('add')}</button>
    </form>
    <${ErrorLine} error=${failed} />
    <form class="filters"><label>${t('search')}<input value=${filter} onInput=${(e) => setFilter(e.target.value)} /></label></form>
    <div class="scroll"><table>
      <thead><tr><th>${t('name')}</th><th>${t('phone')}</th><th>${t('address')}</th><th>${t('started')}</th><th>${t('blocked')}</th></tr></thead>
      <tbody>${shown.map((c) => html`<tr data-customer=${c.phone} data-blocked=${String(c.blocked)}>
        <td>${c.name}</td><td>${c.phone}</td><td>${c.address || ''}</td><td>${when(c.created_at_ms)}</td>
        <td><input type="checkbox" aria-label=${t('blocked')} checked=${c.blocked} onChange=${(e) => save({ ...c, blocked: e.target.checked })} /></td>
      </tr>`)}</tbody>
    </table></div>
  </section>`;
}

const nameIn = (names, lang) => (names.find((n) => n.lang === lang) || {}).text || '';
/// Replace the text of one language, keeping the other languages' names; empty removes it.
function withName(names, lang, text) {
  const rest = names.filter((n) => n.lang !== lang);
  return text.trim() ? [...rest, { lang, text }] : rest;
}
/// The tag the catalogue writes its Chinese names with (`zh`, `zh-TW` …); `zh-TW` for a new one.
function chineseTag(cat) {
  for (const p of cat.products) for (const n of p.names) if (n.lang.startsWith('zh')) return n.lang;
  return 'zh-TW';
}
const splitList = (s) => s.split(/[,，、]/).map((x) => x.trim()).filter(Boolean);

function ProductCard({ p, i, groups, zh, onChange, onRemove }) {
  const set = (k, v) => onChange({ ...p, [k]: v });
  const setSize = (j, next) => set('sizes', p.sizes.map((z, k) => (k === j ? next : z)));
  const f = (k) => `product.${i}.${k}`;
  return html`<div class="box product" data-product=${p.id}>
    <div class="row">
      <label>${t('f_id')}<input name=${f('id')} value=${p.id} size="10" onInput=${(e) => set('id', e.target.value)} /></label>
      <label class="grow">${t('nameZh')}<input name=${f('zh')} value=${nameIn(p.names, zh)} onInput=${(e) => set('names', withName(p.names, zh, e.target.value))} /></label>
      <label class="grow">${t('nameEn')}<input name=${f('en')} value=${nameIn(p.names, 'en')} onInput=${(e) => set('names', withName(p.names, 'en', e.target.value))} /></label>
      <button type="button" class="danger" onClick=${onRemove}>${t('delete')}</button>
    </div>
    <label>${t('aliases')}<input name=${f('aliases')} value=${p.aliases.join(', ')} onInput=${(e) => set('aliases', splitList(e.target.value))} /></label>
    <table class="sizes"><thead><tr><th>${t('sizeCol')}</th><th>${t('nameZh')}</th><th>${t('nameEn')}</th><th>${t('price')}</th><th></th></tr></thead><tbody>
      ${p.sizes.map((z, j) => html`<tr>
        <td><input name=${f(`size.${j}.id`)} value=${z.id} size="4" onInput=${(e) => setSize(j, { ...z, id: e.target.value })} /></td>
        <td><input name=${f(`size.${j}.zh`)} value=${nameIn(z.names, zh)} size="6" onInput=${(e) => setSize(j, { ...z, names: withName(z.names, zh, e.target.value) })} /></td>
        <td><input name=${f(`size.${j}.en`)} value=${nameIn(z.names, 'en')} size="8" onInput=${(e) => setSize(j, { ...z, names: withName(z.names, 'en', e.target.value) })} /></td>
        <td><input name=${f(`size.${j}.price`)} type="number" min="0" step="1" value=${z.price} style="width:6rem" onInput=${(e) => setSize(j, { ...z, price: e.target.value === '' ? '' : Number(e.target.value) })} /></td>
        <td><button type="button" class="link danger" onClick=${() => set('sizes', p.sizes.filter((_, k) => k !== j))}>✕</button></td>
      </tr>`)}
    </tbody></table>
    <div class="row">
      <button type="button" class="link" onClick=${() => set('sizes', [...p.sizes, { id: '', names: [], price: 0 }])}>+ ${t('sizeCol')}</button>
      ${groups.map((g) => html`<label class="check"><input type="checkbox" checked=${p.option_groups.includes(g.id)}
        onChange=${(e) => set('option_groups', e.target.checked ? [...p.option_groups, g.id] : p.option_groups.filter((x) => x !== g.id))} />
        ${nameIn(g.names, zh) || g.id}</label>`)}
    </div>
  </div>`;
}

/// The catalogue: products with their names, aliases, sizes and prices as form fields, and
/// the whole of it (option groups too) as JSON. The server checks it whole and says what is
/// wrong; nothing is stored until it is right.
export function Catalogue({ tenant }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}/catalog`;
  const [data, error] = useLoad(() => api('GET', base), [tenant]);
  const [draft, setDraft] = useState(null);
  const [text, setText] = useState(null);
  const [mode, setMode] = useState('table');
  const [state, setState] = useState(null);
  if (!data) return html`<${Loading} error=${error} />`;
  const cat = draft ?? data;
  const edit = (next) => { setDraft(next); setText(null); setState(null); };
  const value = text ?? JSON.stringify(cat, null, 2);
  const switchTo = (m) => {
    if (m === 'table' && text !== null) {
      try { setDraft(JSON.parse(text)); setText(null); } catch (err) { setState({ error: new Error(`JSON: ${err.message}`) }); return; }
    }
    setMode(m);
  };
  const save = async (e) => {
    e.preventDefault();
    let body = cat;
    if (mode === 'json') {
      try { body = JSON.parse(value); } catch (err) { setState({ error: new Error(`JSON: ${err.message}`) }); return; }
    }
    try {
      await api('PUT', base, body);
      setDraft(body);
      setText(null);
      setState({ ok: true });
    } catch (err) {
      setState({ error: err });
    }
  };
  const setProduct = (i, p) => edit({ ...cat, products: cat.products.map((q, j) => (i === j ? p : q)) });
  return html`<section>
    <h1>${t('catalogue')}</h1>
    <p class="muted">${t('catalogueHelp')}</p>
    <div class="row tabs">
      <button type="button" class=${mode === 'table' ? '' : 'secondary'} onClick=${() => switchTo('table')}>${t('products')}</button>
      <button type="button" name="as-json" class=${mode === 'json' ? '' : 'secondary'} onClick=${() => switchTo('json')}>JSON</button>
    </div>
    <form onSubmit=${save}>
      ${mode === 'table'
        ? html`<label>${t('currency')}<input name="currency" value=${cat.currency} size="4" onInput=${(e) => edit({ ...cat, currency: e.target.value })} /></label>
          ${cat.products.map((p, i) => html`<${ProductCard} key=${i} p=${p} i=${i} zh=${chineseTag(cat)} groups=${cat.option_groups}
            onChange=${(next) => setProduct(i, next)} onRemove=${() => edit({ ...cat, products: cat.products.filter((_, j) => j !== i) })} />`)}
          <button type="button" onClick=${() => edit({ ...cat, products: [...cat.products, { id: '', names: [], aliases: [], sizes: [{ id: 'regular', names: [], price: 0 }], option_groups: [] }] })}>${t('addProduct')}</button>`
        : html`<textarea name="catalog" class="mono" rows="24" style="width:100%" value=${value} onInput=${(e) => { setText(e.target.value); setState(null); }}></textarea>`}
      <div class="row savebar"><button type="submit">${t('save')}</button>${state && state.ok && html`<span class="ok">${t('saved')}</span>`}</div>
      <${ErrorLine} error=${state && state.error} />
    </form>
  </section>`;
}
