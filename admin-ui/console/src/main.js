import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, setCsrf } from './api.js';
import { lang, setLang, t } from './i18n.js';
import { SignIn } from './pages/signin.js';
import { Dashboard, Overview } from './pages/dashboard.js';
import { CallList, CallView } from './pages/calls.js';
import { Orders } from './pages/orders.js';
import { Faq } from './pages/faq.js';
import { Flows } from './pages/flows.js';
import { Analytics } from './pages/analytics.js';
import { Settings } from './pages/settings.js';
import { Live } from './pages/live.js';
import { Customers, Catalogue } from './pages/customers.js';
import { Tenants } from './pages/tenants.js';
import { Desk, DeskAdmin } from './pages/desk.js';
import { Tickets, Campaigns } from './pages/aftersales.js';
import { NotFound, useLoad } from './pages/common.js';

/// The route in the hash: `#/t/{tenant}/{page}/{id?}` for a tenant's pages, `#/{page}` for the provider's.
function parse(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 't' && parts[1]) return { tenant: parts[1], page: parts[2] || 'dashboard', id: parts[3] };
  return { tenant: null, page: parts[0] || '', id: parts[1] };
}

function useRoute() {
  const [route, setRoute] = useState(parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

/// The tenant being worked on, by name (nothing when it cannot be read: the page says 404).
function TenantName({ id }) {
  const [tenant] = useLoad(() => api('GET', `/v1/tenants/${encodeURIComponent(id)}`), [id]);
  return html`<p class="crumb muted">${t('tenant')}: <b>${tenant ? tenant.name : ''}</b> <code>${id}</code></p>`;
}

function App() {
  const [session, setSession] = useState(undefined);
  const [, rerender] = useState(0);
  const route = useRoute();

  useEffect(() => {
    api('GET', '/v1/console/session')
      .then((s) => {
        setCsrf(s.csrf_token);
        setSession(s);
      })
      .catch(() => setSession(null));
  }, []);

  if (session === undefined) return html`<p class="muted pad">${t('loading')}</p>`;
  if (session === null) {
    return html`<${SignIn} onSignedIn=${(s) => { setCsrf(s.csrf_token); setSession(s); location.hash = ''; }} />`;
  }
  const signOut = async () => {
    await api('DELETE', '/v1/console/session').catch(() => {});
    setSession(null);
  };
  const langPick = html`<select aria-label="language" value=${lang} onChange=${(e) => { setLang(e.target.value); rerender((n) => n + 1); }}>
    <option value="zh-TW">中文</option>
    <option value="en">English</option>
  </select>`;
  if (session.role === 'agent') {
    // A desk user has the desk and nothing else.
    return html`
      <header>
        <a class="brand" href="#/desk">Switchboard</a>
        <nav><a href="#/desk" class="on">${t('desk')}</a></nav>
        <span class="spacer"></span>
        ${langPick}
        <button class="link" onClick=${signOut}>${t('signOut')}</button>
      </header>
      <main><${Desk} me=${session.agent} /></main>`;
  }
  const provider = session.role === 'provider';
  // A tenant user always works in their own tenant; the provider picks one.
  let tenant = route.tenant || (provider ? null : session.tenant_id);
  const page = route.page || (provider && !tenant ? 'overview' : 'dashboard');
  const link = (p) => (tenant ? `#/t/${encodeURIComponent(tenant)}/${p}` : `#/${p}`);
  const nav = tenant
    ? ['dashboard', 'live', 'analytics', 'calls', 'orders', 'tickets', 'campaigns', 'customers', 'catalogue', 'faq', 'flows', 'agents', 'settings'].map((p) => html`<a href=${link(p)} class=${page === p ? 'on' : ''}>${t(p)}</a>`)
    : [];

  let body;
  if (!tenant) {
    body = provider && page === 'tenants' ? html`<${Tenants} />` : provider ? html`<${Overview} />` : html`<${NotFound} />`;
  } else {
    const props = { tenant, id: route.id, provider };
    body = {
      dashboard: html`<${Dashboard} ...${props} />`,
      calls: route.id ? html`<${CallView} ...${props} />` : html`<${CallList} ...${props} />`,
      orders: html`<${Orders} ...${props} />`,
      faq: html`<${Faq} ...${props} />`,
      flows: html`<${Flows} ...${props} />`,
      analytics: html`<${Analytics} ...${props} />`,
      settings: html`<${Settings} ...${props} />`,
      live: html`<${Live} ...${props} />`,
      customers: html`<${Customers} ...${props} />`,
      catalogue: html`<${Catalogue} ...${props} />`,
      agents: html`<${DeskAdmin} ...${props} />`,
      tickets: html`<${Tickets} ...${props} />`,
      campaigns: html`<${Campaigns} ...${props} />`,
    }[page] || html`<${NotFound} />`;
  }
  return html`
    <header>
      <a class="brand" href=${provider ? '#/' : '#/dashboard'}>Switchboard</a>
      ${provider && html`<nav class="provider"><a href="#/" class=${!tenant && page === 'overview' ? 'on' : ''}>${t('allTenants')}</a><a href="#/tenants" class=${page === 'tenants' ? 'on' : ''}>${t('tenants')}</a></nav>`}
      <nav>${nav}</nav>
      <span class="spacer"></span>
      ${langPick}
      <button class="link" onClick=${signOut}>${t('signOut')}</button>
    </header>
    ${tenant && html`<${TenantName} id=${tenant} />`}
    <main>${body}</main>`;
}

setLang(lang);
render(html`<${App} />`, document.getElementById('app'));
