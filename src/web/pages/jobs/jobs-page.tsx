import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, errorOf, unwrap, type ApiError, type JobList } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { JobActions } from '../../components/job-actions.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { usePolling } from '../../components/use-polling.js';
import { formatDate, formatNumber, t } from '../../i18n/i18n.js';
import { can } from '../../session.js';

const STATUSES = ['pending', 'processing', 'paused', 'completed', 'failed', 'cancelled'] as const;
const SORTS = ['-created_at', 'created_at', 'name', '-name', 'status'] as const;
const PER_PAGE = 20;
type Status = (typeof STATUSES)[number];
type Sort = (typeof SORTS)[number];

/**
 * Jobs: filters, sort and page in the URL (shareable, back works), listed by the server; live
 * progress while a job runs; the actions each job allows; an empty state with the first steps.
 */
export function JobsPage() {
  const { query, path, route } = useLocation();
  const [list, setList] = useState<JobList | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const status = STATUSES.includes(query.status as Status) ? (query.status as Status) : undefined;
  const sort = SORTS.includes(query.sort as Sort) ? (query.sort as Sort) : '-created_at';
  const page = Math.max(1, Number(query.page) || 1);
  const search = query.search ?? '';

  const load = async () => {
    const result = await api.GET('/api/v1/code2asin/jobs', {
      params: { query: { status, sort, page, per_page: PER_PAGE, ...(search ? { search } : {}) } },
    });
    try {
      setList(unwrap(result));
      setError(null);
    } catch (e) {
      setError(errorOf(e));
    }
  };
  const running =
    (list?.items ?? []).some((j) => j.status === 'processing' || j.status === 'pending') ?? false;
  usePolling(load, 2000, running, [status, sort, page, search]);

  const setQuery = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams({ ...query, ...changes } as Record<string, string>);
    for (const [k, v] of [...next]) if (!v || v === 'undefined') next.delete(k);
    route(`${path}?${next}`);
  };
  const pages = list ? Math.max(1, Math.ceil((list.total ?? 0) / PER_PAGE)) : 1;
  const filtered = Boolean(status || search);

  return (
    <section>
      <div class="title-row">
        <h1>{t('jobs.title')}</h1>
        {can('write') && (
          <a class="button primary" href="/jobs/new">
            {t('nav.newJob')}
          </a>
        )}
      </div>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('jobs.search')}{' '}
          <input
            type="search"
            value={search}
            onChange={(e) => setQuery({ search: e.currentTarget.value, page: undefined })}
          />
        </label>
        <label>
          {t('jobs.status')}{' '}
          <select
            value={status ?? ''}
            onChange={(e) => setQuery({ status: e.currentTarget.value, page: undefined })}
          >
            <option value="">{t('jobs.anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('jobs.sort')}{' '}
          <select value={sort} onChange={(e) => setQuery({ sort: e.currentTarget.value })}>
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`jobs.sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorBanner error={error} onRetry={() => void load()} />
      {list && (list.items ?? []).length === 0 && !filtered && (
        <div class="empty">
          <h2>{t('jobs.empty.title')}</h2>
          <p>{t('jobs.empty.body')}</p>
        </div>
      )}
      {list && (list.items ?? []).length === 0 && filtered && <p>{t('jobs.noMatch')}</p>}
      {list && (list.items ?? []).length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('jobs.col.name')}</th>
              <th scope="col">{t('jobs.col.supplier')}</th>
              <th scope="col">{t('jobs.col.marketplaces')}</th>
              <th scope="col">{t('jobs.col.status')}</th>
              <th scope="col">{t('jobs.col.progress')}</th>
              <th scope="col">{t('jobs.col.counts')}</th>
              <th scope="col">{t('jobs.col.created')}</th>
              <th scope="col">{t('jobs.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.items ?? []).map((job) => (
              <tr key={job.id}>
                <td>
                  <a href={`/jobs/${job.id}`}>{job.name}</a>
                </td>
                <td>{job.supplier_code ?? '—'}</td>
                <td>{(job.marketplaces ?? []).join(', ')}</td>
                <td>
                  <span class={`badge ${job.status}`}>{t(`status.${job.status as Status}`)}</span>
                </td>
                <td>
                  <ProgressBar
                    progress={job.progress}
                    label={`${t('jobs.col.progress')} ${job.name}`}
                  />
                </td>
                <td>
                  {formatNumber(job.counters?.found ?? 0)} /{' '}
                  {formatNumber(job.counters?.not_found ?? 0)} /{' '}
                  <a href={`/jobs/${job.id}/review`}>{t('job.tab.review')}</a>
                </td>
                <td>{formatDate(job.created_at)}</td>
                <td>
                  <JobActions job={job} onDone={() => void load()} onError={setError} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && pages > 1 && (
        <nav class="paging" aria-label="pages">
          <button
            type="button"
            disabled={page <= 1}
            onClick={() => setQuery({ page: String(page - 1) })}
          >
            {t('paging.previous')}
          </button>
          <span>{t('paging.page', { page, pages })}</span>
          <button
            type="button"
            disabled={page >= pages}
            onClick={() => setQuery({ page: String(page + 1) })}
          >
            {t('paging.next')}
          </button>
        </nav>
      )}
    </section>
  );
}
