import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, errorOf, unwrap, type ApiError } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { usePolling } from '../../components/use-polling.js';
import { t } from '../../i18n/i18n.js';
import { can } from '../../session.js';
import { RuleForm } from './rule-form.js';
import { RuleRow, type Rule } from './rule-row.js';

const PER_PAGE = 50;
/** An ASIN (10 letters and digits with a letter); anything else is searched as a code. */
const ASIN = /^(?=.*[A-Za-z])[A-Za-z0-9]{10}$/;

/**
 * Matching rules: what a person decided once and every later job follows. Search by code or
 * ASIN and by kind (in the URL), flip always ↔ never, edit the note, delete, add.
 */
export function RulesPage() {
  const { query, path, route } = useLocation();
  const [items, setItems] = useState<Rule[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const search = (query.search ?? '').trim();
  const kind = query.rule === 'always' || query.rule === 'never' ? query.rule : undefined;
  const page = Math.max(1, Number(query.page) || 1);

  const load = async () => {
    const by = search === '' ? {} : ASIN.test(search) ? { asin: search } : { code: search };
    try {
      const data = unwrap(
        await api.GET('/api/v1/code2asin/rules', {
          params: { query: { ...by, ...(kind ? { rule: kind } : {}), page, per_page: PER_PAGE } },
        }),
      );
      setItems((data.items ?? []) as Rule[]);
      setError(null);
    } catch (e) {
      setError(errorOf(e));
    }
  };
  usePolling(load, 60_000, false, [search, kind, page]);
  const setQuery = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams({ ...query, ...changes } as Record<string, string>);
    for (const [k, v] of [...next]) if (!v || v === 'undefined') next.delete(k);
    route(`${path}?${next}`);
  };

  return (
    <section>
      <h1>{t('rules.title')}</h1>
      <p class="muted">{t('rules.intro')}</p>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('rules.search')}{' '}
          <input
            type="search"
            value={search}
            maxLength={40}
            onChange={(e) => setQuery({ search: e.currentTarget.value, page: undefined })}
          />
        </label>
        <label>
          {t('rules.kind')}{' '}
          <select
            value={kind ?? ''}
            onChange={(e) => setQuery({ rule: e.currentTarget.value, page: undefined })}
          >
            <option value="">{t('review.filter.any')}</option>
            <option value="always">{t('rules.rule.always')}</option>
            <option value="never">{t('rules.rule.never')}</option>
          </select>
        </label>
      </form>
      <ErrorBanner error={error} onRetry={() => void load()} />
      {can('write') && <RuleForm onAdded={() => void load()} onError={setError} />}
      {items && items.length === 0 && <p>{t(search || kind ? 'rules.noMatch' : 'rules.empty')}</p>}
      {items && items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('result.code')}</th>
              <th scope="col">{t('result.asin')}</th>
              <th scope="col">{t('rules.kind')}</th>
              <th scope="col">{t('review.filter.marketplace')}</th>
              <th scope="col">{t('rules.note')}</th>
              <th scope="col">{t('job.created')}</th>
              <th scope="col">{t('jobs.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((rule) => (
              <RuleRow
                key={`${rule.id}-${rule.rule}-${rule.note}`}
                rule={rule}
                canWrite={can('write')}
                canDelete={can('delete')}
                onChanged={() => void load()}
                onError={setError}
              />
            ))}
          </tbody>
        </table>
      )}
      {items && (page > 1 || items.length === PER_PAGE) && (
        <nav class="paging" aria-label="pages">
          <button
            type="button"
            disabled={page <= 1}
            onClick={() => setQuery({ page: String(page - 1) })}
          >
            {t('paging.previous')}
          </button>
          <button
            type="button"
            disabled={items.length < PER_PAGE}
            onClick={() => setQuery({ page: String(page + 1) })}
          >
            {t('paging.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
