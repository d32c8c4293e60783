import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, errorOf, type ApiError } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { t } from '../../i18n/i18n.js';
import { session, sessionEnded } from '../../session.js';

/** Only paths of this UI are followed after sign-in (never another site). */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/jobs';
}

/** Paste a token → `POST /api/v1/session` → back where the user was. The token is not kept. */
export function SignInPage() {
  const { query, route } = useLocation();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const field = form.elements.namedItem('token') as HTMLInputElement;
    setBusy(true);
    const { data, error: failed } = await api.POST('/api/v1/session', {
      body: { token: field.value },
    });
    setBusy(false);
    field.value = '';
    if (!data) return setError(errorOf(failed));
    sessionEnded.value = false;
    session.value = data;
    route(safeNext(query.next), true);
  };
  return (
    <section class="narrow">
      <h1>{t('signIn.title')}</h1>
      {sessionEnded.value && <p role="status">{t('signIn.expired')}</p>}
      <p>{t('signIn.intro')}</p>
      <form onSubmit={(e) => void submit(e)}>
        <label for="token">{t('signIn.token')}</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          required
          spellcheck={false}
        />
        <button type="submit" class="primary" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
      <ErrorBanner error={error} />
    </section>
  );
}
