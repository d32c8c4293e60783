import { useEffect, useState } from 'preact/hooks';
import { api, errorOf, unwrap, type ApiError } from '../../api/client.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatDate } from '../../i18n/i18n.js';

type LogPage = { items?: { id?: number; level?: string; message?: string; created_at?: string }[] };

/** The job's log, newest first (messages shown as text). */
export function JobLog({ jobId }: { jobId: string }) {
  const [log, setLog] = useState<LogPage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    void api
      .GET('/api/v1/code2asin/jobs/{id}/logs', {
        params: { path: { id: jobId }, query: { per_page: 100 } },
      })
      .then((r) => setLog(unwrap(r) as LogPage))
      .catch((e: unknown) => setError(errorOf(e)));
  }, [jobId]);
  if (!log) return <ErrorBanner error={error} />;
  return (
    <ol class="log">
      {(log.items ?? []).map((e) => (
        <li key={e.id}>
          <time>{formatDate(e.created_at)}</time> <strong>{e.level}</strong> {e.message}
        </li>
      ))}
    </ol>
  );
}
