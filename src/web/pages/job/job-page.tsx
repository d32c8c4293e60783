import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, errorOf, unwrap, type ApiError, type JobDetail } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { JobActions } from '../../components/job-actions.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { ProgressChart } from '../../components/progress-chart.js';
import { QuotaPanel } from '../../components/quota-panel.js';
import { usePolling } from '../../components/use-polling.js';
import { formatDate, formatNumber, t } from '../../i18n/i18n.js';
import { JobErrors } from './job-errors.js';
import { JobLog } from './job-log.js';
import { ResultsTable } from './results-table.js';
import { streamState, useJobEvents } from './use-job-events.js';

const TILES = [
  'total_codes',
  'with_asin',
  'with_images',
  'with_price',
  'exact_matches',
  'partial_matches',
  'fuzzy_matches',
  'manual_matches',
  'not_found',
  'errors',
  'pending',
] as const;
const TABS = ['results', 'errors', 'log'] as const;
const FORMATS = ['csv', 'xlsx', 'jsonl'] as const;
const RUNNING = new Set(['pending', 'processing', 'paused']);

/** The providers a job asks (its chain, or the configured one it recorded) and its enricher. */
function jobProviders(job: JobDetail): string[] {
  const options = (job.options ?? {}) as {
    providers?: string[] | null;
    enrich_with?: string | null;
  };
  const chain = options.providers ?? (job.provider?.name ? [job.provider.name] : []);
  return [...new Set([...chain, ...(options.enrich_with ? [options.enrich_with] : [])])];
}

/** One job: header and actions, tiles, live progress, timeline, tabs, downloads. */
export function JobPage() {
  const { params } = useRoute();
  const { query, path, route } = useLocation();
  const id = params.id ?? '';
  const [job, setJob] = useState<JobDetail | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const tab = TABS.includes(query.tab as never) ? (query.tab as (typeof TABS)[number]) : 'results';

  const load = async () => {
    try {
      setJob(unwrap(await api.GET('/api/v1/code2asin/jobs/{id}', { params: { path: { id } } })));
      setError(null);
    } catch (e) {
      setError(errorOf(e));
    }
  };
  usePolling(load, 60_000, false, [id]);
  const live = job ? RUNNING.has(job.status ?? '') : false;
  useJobEvents(id, live, () => void load());

  if (!job) return <ErrorBanner error={error} onRetry={() => void load()} />;
  const providers = jobProviders(job);
  const stats = (job.statistics ?? {}) as Record<string, number | null | undefined>;
  return (
    <section>
      <h1>
        {job.name} <span class={`badge ${job.status}`}>{t(`status.${job.status}` as never)}</span>
      </h1>
      <p class="muted">
        {job.supplier_code ?? ''} {(job.marketplaces ?? []).join(', ')} ·{' '}
        {job.source_file_name ?? ''}
      </p>
      <JobActions job={job} onDone={() => void load()} onError={setError} />
      <ErrorBanner error={error} />
      <ProgressBar progress={job.progress} label={t('jobs.col.progress')} />
      {live && (
        <p role="status" class="muted">
          {t(streamState.value === 'reconnecting' ? 'job.reconnecting' : 'job.live')}
        </p>
      )}
      <h2>{t('job.tiles')}</h2>
      <ul class="tiles">
        {TILES.map((k) => (
          <li key={k}>
            <span class="tile-value">{formatNumber(stats[k] ?? 0)}</span>
            <span class="tile-label">{t(`job.tile.${k}`)}</span>
          </li>
        ))}
        <li>
          <span class="tile-value">
            {stats.average_confidence == null ? '—' : formatNumber(stats.average_confidence, 2)}
          </span>
          <span class="tile-label">{t('job.tile.average_confidence')}</span>
        </li>
      </ul>
      <h2>{t('job.timeline')}</h2>
      <dl class="timeline">
        <dt>{t('job.created')}</dt>
        <dd>{formatDate(job.created_at)}</dd>
        <dt>{t('job.started')}</dt>
        <dd>{formatDate(job.started_at)}</dd>
        <dt>{t('job.finished')}</dt>
        <dd>{formatDate(job.completed_at)}</dd>
      </dl>
      <ProgressChart jobId={id} live={live} />
      {providers.length > 0 && <QuotaPanel live={live} providers={providers} />}
      <p class="actions">
        <a class="button primary" href={`/jobs/${id}/review`}>
          {t('review.open')}
        </a>
        {FORMATS.map((f) => (
          <a
            key={f}
            class="button"
            href={`/api/v1/code2asin/jobs/${id}/download?format=${f}`}
            download
          >
            {t('job.download')} {f.toUpperCase()}
          </a>
        ))}
      </p>
      <nav class="tabs" aria-label="tabs">
        {TABS.map((k) => (
          <button
            type="button"
            key={k}
            aria-pressed={tab === k}
            onClick={() => route(`${path}?tab=${k}`, true)}
          >
            {t(`job.tab.${k}`)}
          </button>
        ))}
      </nav>
      {tab === 'results' && <ResultsTable jobId={id} />}
      {tab === 'errors' && <JobErrors jobId={id} version={`${job.counters?.errors ?? 0}`} />}
      {tab === 'log' && <JobLog jobId={id} />}
    </section>
  );
}
