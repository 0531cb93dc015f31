import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';

export function NotFound() {
  return html`<section class="notfound"><h1>404</h1><p>${t('notFound')}</p></section>`;
}

/// Load `fn()` when `deps` change: [data, error, reload].
export function useLoad(fn, deps) {
  const [state, setState] = useState({ data: undefined, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ data: s.data, error: null }));
    fn()
      .then((data) => live && setState({ data, error: null }))
      .catch((error) => live && setState({ data: undefined, error }));
    return () => { live = false; };
  }, [...deps, n]);
  return [state.data, state.error, () => setN((x) => x + 1)];
}

/// What a page shows while it loads or when it failed (a 404 is the not-found page).
export function Loading({ error }) {
  if (error && error.status === 404) return html`<${NotFound} />`;
  if (error) return html`<p class="error" role="alert">${error.message}</p>`;
  return html`<p class="muted">${t('loading')}</p>`;
}

export function ErrorLine({ error }) {
  return error ? html`<p class="error" role="alert">${error.message || String(error)}</p>` : null;
}
