import { useState } from 'preact/hooks';
import { api, errorOf, type ApiError } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { t } from '../../i18n/i18n.js';
import { MarketplacePicker } from '../new-job/marketplace-picker.js';
import { AsinAnswer, CodeAnswer, type AsinCheck, type CodeSearch } from './lookup-answers.js';

type Answer =
  | { marketplace: string; kind: 'code'; data: CodeSearch }
  | { marketplace: string; kind: 'asin'; data: AsinCheck }
  | { marketplace: string; kind: 'error'; error: ApiError };

async function searchCode(code: string, marketplace: string): Promise<Answer> {
  const res = await api.GET('/api/v1/amazon/products/search', {
    params: { query: { code, marketplace } },
  });
  if (res.error || !res.data) return { marketplace, kind: 'error', error: errorOf(res.error) };
  return { marketplace, kind: 'code', data: res.data as CodeSearch };
}

async function checkAsin(asin: string, marketplace: string): Promise<Answer> {
  const res = await api.GET('/api/v1/amazon/products/{asin}/validate', {
    params: { path: { asin }, query: { marketplace } },
  });
  if (res.error || !res.data) return { marketplace, kind: 'error', error: errorOf(res.error) };
  return { marketplace, kind: 'asin', data: res.data as AsinCheck };
}

/**
 * One code or ASIN, live, on one or several marketplaces: what the code became (normalised,
 * repairs), the best match with its confidence and reasons, every candidate, and a rule from a
 * candidate in one click — the original system's "search by EAN / validate an ASIN".
 */
export function LookupPage() {
  const [query, setQuery] = useState('');
  const [marketplaces, setMarketplaces] = useState(['www.amazon.fr']);
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (kind: 'code' | 'asin') => {
    const value = query.trim();
    if (!value) return;
    if (marketplaces.length === 0) {
      return setError({ code: 'no_marketplace', message: t('lookup.noMarketplace') });
    }
    setBusy(true);
    setError(null);
    setAnswers([]);
    const ask = kind === 'code' ? searchCode : checkAsin;
    setAnswers(await Promise.all(marketplaces.map((m) => ask(value, m))));
    setBusy(false);
  };
  // An invalid code is invalid everywhere: said once, not per marketplace.
  const invalid = answers.find((a) => a.kind === 'error' && /^invalid_/.test(a.error.code));
  return (
    <section>
      <h1>{t('lookup.title')}</h1>
      <p class="muted">{t('lookup.intro')}</p>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run('code');
        }}
      >
        <label>
          {t('lookup.query')}{' '}
          <input
            value={query}
            maxLength={40}
            autoComplete="off"
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={busy || !query.trim()}>
          {t('lookup.searchCode')}
        </button>
        <button type="button" disabled={busy || !query.trim()} onClick={() => void run('asin')}>
          {t('lookup.validateAsin')}
        </button>
      </form>
      <MarketplacePicker value={marketplaces} disabled={busy} onChange={setMarketplaces} />
      <ErrorBanner error={error ?? (invalid?.kind === 'error' ? invalid.error : null)} />
      {busy && (
        <p role="status" aria-busy="true">
          {t('lookup.searching')}
        </p>
      )}
      {!invalid &&
        answers.map((answer) => (
          <article key={answer.marketplace} class="lookup-answer">
            <h2>{answer.marketplace}</h2>
            {answer.kind === 'error' && <ErrorBanner error={answer.error} />}
            {answer.kind === 'code' && <CodeAnswer answer={answer.data} onError={setError} />}
            {answer.kind === 'asin' && <AsinAnswer answer={answer.data} />}
          </article>
        ))}
    </section>
  );
}
