import { useState } from 'preact/hooks';
import { api, errorOf, type ApiError } from '../api/client.js';
import { formatDate, formatNumber, t } from '../i18n/i18n.js';
import { ErrorBanner } from './error-banner.js';
import { usePolling } from './use-polling.js';

type Windows = { last_minute: number; last_hour: number; today: number };
type Quota = {
  provider: string;
  credential: string | null;
  key: string;
  allowed: {
    requests_per_second: number;
    requests_per_day: number;
    tokens_per_minute: number | null;
  };
  requests: Windows;
  tokens: Windows;
  throttled: Windows;
  remaining: { requests_today: number; tokens_left: number | null };
  paused_until: string | null;
  next_reset: { requests: string; tokens: string | null };
};

/** Requests (and Keepa tokens) of one window, in words. */
function used(q: Quota, window: keyof Windows): string {
  const requests = t('quota.requests', { n: formatNumber(q.requests[window]) });
  if (q.allowed.tokens_per_minute === null) return requests;
  return `${requests}, ${t('quota.tokens', { n: formatNumber(q.tokens[window]) })}`;
}

/**
 * The quota dashboard (GET /api/v1/amazon/quotas) as a table: per provider and credential, use
 * in the last minute and today, what is left, 429 answers and the next reset. Refreshed every
 * 10 s while shown (`live`), once otherwise. `providers`: only their credentials (a job's page
 * shows what its own providers have left, not every credential the database has seen).
 */
export function QuotaPanel(props: { live?: boolean; providers?: readonly string[] }) {
  const [quotas, setQuotas] = useState<Quota[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  usePolling(
    async () => {
      const res = await api.GET('/api/v1/amazon/quotas');
      if (res.error || !res.data) return setError(errorOf(res.error));
      setError(null);
      const all = res.data.credentials as Quota[];
      const wanted = props.providers;
      setQuotas(wanted ? all.filter((q) => wanted.includes(q.provider)) : all);
    },
    10_000,
    props.live ?? true,
    [props.providers?.join(',')],
  );
  return (
    <section class="quota" aria-labelledby="quota-title">
      <h2 id="quota-title">{t('quota.title')}</h2>
      <p class="muted">{t('quota.intro')}</p>
      <ErrorBanner error={error} />
      {quotas && quotas.length === 0 && <p class="empty">{t('quota.empty')}</p>}
      {quotas && quotas.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('quota.col.provider')}</th>
              <th scope="col">{t('quota.col.credential')}</th>
              <th scope="col">{t('quota.col.minute')}</th>
              <th scope="col">{t('quota.col.today')}</th>
              <th scope="col">{t('quota.col.left')}</th>
              <th scope="col">{t('quota.col.throttled')}</th>
              <th scope="col">{t('quota.col.reset')}</th>
            </tr>
          </thead>
          <tbody>
            {quotas.map((q) => (
              <tr key={q.key}>
                <td>{q.provider}</td>
                <td>
                  <code>{q.credential ?? '—'}</code>
                </td>
                <td>{used(q, 'last_minute')}</td>
                <td>{used(q, 'today')}</td>
                <td>
                  {t('quota.leftRequests', { n: formatNumber(q.remaining.requests_today) })}
                  {q.remaining.tokens_left !== null &&
                    `, ${t('quota.leftTokens', { n: formatNumber(q.remaining.tokens_left) })}`}
                </td>
                <td>{formatNumber(q.throttled.today)}</td>
                <td>
                  {formatDate(q.next_reset.tokens ?? q.next_reset.requests)}
                  {q.paused_until &&
                    ` · ${t('quota.paused', { date: formatDate(q.paused_until) })}`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
