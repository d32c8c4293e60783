import { useEffect, useState } from 'preact/hooks';
import { api, errorOf, unwrap, type ApiError } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatDate, t } from '../../i18n/i18n.js';
import { NewTokenForm, type CreatedToken } from './new-token-form.js';

type TokenList = { items: Token[] };
export type Token = {
  id: string;
  name: string;
  owner: string;
  scopes: string[];
  prefix: string;
  created_at: string;
  last_used_at: string | null;
};

/**
 * API tokens (admin): every active token with its owner, scopes, creation and last use; create
 * one (its value shown once, with a copy button); revoke one after a confirmation that says
 * what stops working.
 */
export function TokensPage() {
  const [tokens, setTokens] = useState<Token[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState('');
  const [revoking, setRevoking] = useState<Token | null>(null);
  const load = async () => {
    try {
      setTokens((unwrap(await api.GET('/api/v1/tokens')) as TokenList).items);
      setError(null);
    } catch (e) {
      setError(errorOf(e));
    }
  };
  useEffect(() => void load(), []);
  const revoke = async (token: Token) => {
    setRevoking(null);
    const res = await api.DELETE('/api/v1/tokens/{id}', { params: { path: { id: token.id } } });
    if (res.error) return setError(errorOf(res.error));
    setNotice(t('tokens.revoked', { name: token.name }));
    await load();
  };
  const created = (token: CreatedToken) => {
    setNotice('');
    setTokens((list) => [token, ...(list ?? [])]);
  };
  return (
    <section>
      <h1>{t('tokens.title')}</h1>
      <p class="muted">{t('tokens.intro')}</p>
      <ErrorBanner error={error} onRetry={tokens ? undefined : () => void load()} />
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      <NewTokenForm onCreated={created} onError={setError} />
      {tokens && tokens.length === 0 && <p class="empty">{t('tokens.empty')}</p>}
      {tokens && tokens.length > 0 && (
        <table>
          <caption>{t('tokens.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('tokens.col.name')}</th>
              <th scope="col">{t('tokens.col.owner')}</th>
              <th scope="col">{t('tokens.col.scopes')}</th>
              <th scope="col">{t('tokens.col.created')}</th>
              <th scope="col">{t('tokens.col.lastUsed')}</th>
              <th scope="col">{t('tokens.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id}>
                <td>
                  {token.name} <code class="muted">{token.prefix}…</code>
                </td>
                <td>{token.owner}</td>
                <td>{token.scopes.join(', ')}</td>
                <td>{formatDate(token.created_at)}</td>
                <td>{token.last_used_at ? formatDate(token.last_used_at) : t('tokens.never')}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    aria-label={t('tokens.revokeFor', { name: token.name })}
                    onClick={() => setRevoking(token)}
                  >
                    {t('tokens.revoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={revoking !== null}
        message={
          revoking
            ? t('tokens.revokeConfirm', { name: revoking.name, prefix: revoking.prefix })
            : ''
        }
        onConfirm={() => revoking && void revoke(revoking)}
        onCancel={() => setRevoking(null)}
      />
    </section>
  );
}
