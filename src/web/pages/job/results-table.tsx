import { useEffect, useState } from 'preact/hooks';
import { api, errorOf, unwrap, type ApiError, type ResultPage } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatNumber, t } from '../../i18n/i18n.js';

/** A job's results, a page at a time by key (never all of them). */
export function ResultsTable({ jobId }: { jobId: string }) {
  const [after, setAfter] = useState<number[]>([]);
  const [page, setPage] = useState<ResultPage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const cursor = after.at(-1);
  useEffect(() => {
    void (async () => {
      try {
        const query = { per_page: 50, ...(cursor === undefined ? {} : { after: cursor }) };
        setPage(
          unwrap(
            await api.GET('/api/v1/code2asin/jobs/{id}/results', {
              params: { path: { id: jobId }, query },
            }),
          ),
        );
      } catch (e) {
        setError(errorOf(e));
      }
    })();
  }, [jobId, cursor]);
  if (!page) return <ErrorBanner error={error} />;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('result.code')}</th>
            <th scope="col">{t('result.status')}</th>
            <th scope="col">{t('result.asin')}</th>
            <th scope="col">{t('result.matchType')}</th>
            <th scope="col">{t('result.confidence')}</th>
          </tr>
        </thead>
        <tbody>
          {(page.items ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.code}</td>
              <td>{r.status}</td>
              <td>{r.asin ?? '—'}</td>
              <td>{r.match_type ?? '—'}</td>
              <td>{r.confidence == null ? '—' : formatNumber(r.confidence, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="paging" aria-label="result pages">
        <button
          type="button"
          disabled={after.length === 0}
          onClick={() => setAfter(after.slice(0, -1))}
        >
          {t('paging.previous')}
        </button>
        <button
          type="button"
          disabled={page.next_after == null}
          onClick={() => setAfter([...after, page.next_after!])}
        >
          {t('paging.next')}
        </button>
      </nav>
    </>
  );
}
