import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { ErrorLine } from './common.js';

export function SignIn({ onSignedIn }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      onSignedIn(await api('POST', '/v1/console/session', { key }));
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="signin">
    <h1>${t('title')}</h1>
    <form onSubmit=${submit}>
      <label>${t('key')}<input type="password" name="key" autocomplete="current-password" value=${key} onInput=${(e) => setKey(e.target.value)} required /></label>
      <p class="muted">${t('keyHelp')}</p>
      <button type="submit">${t('signIn')}</button>
      <${ErrorLine} error=${error} />
    </form>
  </section>`;
}
