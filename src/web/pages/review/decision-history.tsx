import { useEffect, useState } from 'preact/hooks';
import { api, type DecisionPage } from '../../api/client.js';
import { formatDate, t } from '../../i18n/i18n.js';

/**
 * The latest decisions of the job, from the server (so they survive a reload). Read only while
 * open: a decision costs the queue one request, not two.
 */
export function DecisionHistory({ jobId, version }: { jobId: string; version: number }) {
  const [open, setOpen] = useState(false);
  const [page, setPage] = useState<DecisionPage | null>(null);
  useEffect(() => {
    if (!open) return;
    void api
      .GET('/api/v1/code2asin/jobs/{id}/decisions', {
        params: { path: { id: jobId }, query: { per_page: 10 } },
      })
      .then((r) => setPage(r.data ?? null));
  }, [jobId, version, open]);
  return (
    <details class="history" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('review.history')}</summary>
      <ol>
        {(page?.items ?? []).map((d) => (
          <li key={d.id} class={d.undone_at ? 'undone' : ''}>
            <time>{formatDate(d.created_at)}</time> {d.code}: {d.previous_asin ?? '—'} →{' '}
            {d.asin ?? t('review.noMatch')} ({d.action})
            {d.undone_at && ` · ${t('review.undo')} ${formatDate(d.undone_at)}`}
          </li>
        ))}
      </ol>
    </details>
  );
}
