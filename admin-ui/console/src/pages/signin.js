import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { ErrorLine } from './common.js';

/// Sign in with a key (the provider's admin token, a tenant's API key) or, for the agent
/// desk, with a desk user's login and password.
export function SignIn({ onSignedIn }) {
  const [mode, setMode] = useState(location.hash.startsWith('#/desk') ? 'agent' : 'key');
  const [f, setF] = useState({ key: '', login: '', password: '' });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const body = mode === 'key' ? { key: f.key } : { login: f.login, password: f.password };
      onSignedIn(await api('POST', '/v1/console/session', body));
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="signin">
    <h1>${t('title')}</h1>
    <div class="row tabs">
      <button type="button" name="as-key" class=${mode === 'key' ? '' : 'secondary'} onClick=${() => setMode('key')}>${t('operatorSignIn')}</button>
      <button type="button" name="as-agent" class=${mode === 'agent' ? '' : 'secondary'} onClick=${() => setMode('agent')}>${t('agentSignIn')}</button>
    </div>
    <form onSubmit=${submit}>
      ${mode === 'key'
        ? html`<label>${t('key')}<input type="password" name="key" autocomplete="current-password" value=${f.key} onInput=${set('key')} required /></label>
          <p class="muted">${t('keyHelp')}</p>`
        : html`<label>${t('login')}<input name="login" autocomplete="username" value=${f.login} onInput=${set('login')} required /></label>
          <label>${t('passwordPlain')}<input type="password" name="password" autocomplete="current-password" value=${f.password} onInput=${set('password')} required /></label>`}
      <button type="submit">${t('signIn')}</button>
      <${ErrorLine} error=${error} />
    </form>
  </section>`;
}
