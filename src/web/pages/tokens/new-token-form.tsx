import { useState } from 'preact/hooks';
import { api, errorOf, type ApiError } from '../../api/client.js';
import { t } from '../../i18n/i18n.js';
import type { Token } from './tokens-page.js';

export type CreatedToken = Token & { token: string };
const SCOPES = ['read', 'write', 'delete', 'admin'] as const;

/** Creates a token; its value is shown here once, with a copy button, until dismissed. */
export function NewTokenForm(props: {
  onCreated: (token: CreatedToken) => void;
  onError: (error: ApiError | null) => void;
}) {
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read', 'write']);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copyState, setCopyState] = useState<'' | 'copied' | 'failed'>('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { name, scopes: scopes as (typeof SCOPES)[number][], ...(owner ? { owner } : {}) };
    const res = await api.POST('/api/v1/tokens', { body });
    if (res.error) return props.onError(errorOf(res.error));
    props.onError(null);
    const token = res.data as CreatedToken;
    setCreated(token);
    setCopyState('');
    setName('');
    props.onCreated(token);
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created?.token ?? '');
      setCopyState('copied');
    } catch {
      setCopyState('failed');
    }
  };
  if (created) {
    return (
      <div class="card new-token">
        <p role="status">{t('tokens.created', { name: created.name })}</p>
        <label>
          {t('tokens.value')}{' '}
          <input
            readOnly
            value={created.token}
            size={56}
            onFocus={(e) => e.currentTarget.select()}
          />
        </label>{' '}
        <button type="button" class="primary" onClick={() => void copy()}>
          {t('tokens.copy')}
        </button>{' '}
        <button type="button" onClick={() => setCreated(null)}>
          {t('tokens.done')}
        </button>
        {copyState && (
          <p class="muted" role="status">
            {t(copyState === 'copied' ? 'tokens.copied' : 'tokens.copyFailed')}
          </p>
        )}
      </div>
    );
  }
  return (
    <form class="card rule-form" onSubmit={(e) => void submit(e)}>
      <h2>{t('tokens.create')}</h2>
      <label>
        {t('tokens.name')}{' '}
        <input
          required
          maxLength={100}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('tokens.owner')}{' '}
        <input maxLength={100} value={owner} onInput={(e) => setOwner(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>{t('tokens.scopes')}</legend>
        {SCOPES.map((scope) => (
          <label key={scope}>
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(e) =>
                setScopes(
                  e.currentTarget.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope),
                )
              }
            />{' '}
            {t(`tokens.scope.${scope}`)}
          </label>
        ))}
      </fieldset>
      <button type="submit" class="primary" disabled={!name.trim() || scopes.length === 0}>
        {t('tokens.submit')}
      </button>
    </form>
  );
}
