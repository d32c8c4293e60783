import { useState } from 'preact/hooks';
import { api, errorOf, type ApiError, type Job } from '../api/client.js';
import { t } from '../i18n/i18n.js';
import { can } from '../session.js';
import { ConfirmDialog } from './confirm-dialog.js';

const ACTIONS = ['start', 'pause', 'resume', 'cancel', 'retry'] as const;

/** The buttons of the actions the API says the job allows now, and the token may do. */
export function JobActions(props: {
  job: Job;
  onDone: () => void;
  onError: (e: ApiError) => void;
}) {
  const { job } = props;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const allowed = new Set<string>(job.allowed_actions ?? []);
  // A draft (never started) is started or discarded; cancelling it would only keep a dead job.
  const draft = job.status === 'pending' && !job.started_at;
  if (draft) allowed.delete('cancel');
  const run = async (action: (typeof ACTIONS)[number]) => {
    const { error } = await api.POST(`/api/v1/code2asin/jobs/{id}/${action}`, {
      params: { path: { id: job.id! } },
    } as never);
    if (error) props.onError(errorOf(error));
    else props.onDone();
  };
  const remove = async () => {
    setConfirmDelete(false);
    const { error } = await api.DELETE('/api/v1/code2asin/jobs/{id}', {
      params: { path: { id: job.id! } },
    });
    if (error) props.onError(errorOf(error));
    else props.onDone();
  };
  return (
    <span class="actions">
      {can('write') &&
        ACTIONS.filter((a) => allowed.has(a)).map((a) => (
          <button
            type="button"
            key={a}
            onClick={() => void run(a)}
            aria-label={`${t(`action.${a}`)} ${job.name}`}
          >
            {t(`action.${a}`)}
          </button>
        ))}
      {can('delete') && job.status !== 'processing' && (
        <button
          type="button"
          class="danger"
          onClick={() => setConfirmDelete(true)}
          aria-label={`${t(draft ? 'action.discard' : 'action.delete')} ${job.name}`}
        >
          {t(draft ? 'action.discard' : 'action.delete')}
        </button>
      )}
      <ConfirmDialog
        open={confirmDelete}
        message={t(draft ? 'action.confirmDiscard' : 'action.confirmDelete', {
          name: job.name ?? '',
        })}
        onConfirm={() => void remove()}
        onCancel={() => setConfirmDelete(false)}
      />
    </span>
  );
}
