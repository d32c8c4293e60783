import { JobError } from './errors.js';

export const JOB_STATUSES = [
  'pending',
  // Started, but the Amazon settings are incomplete: the worker moves it to processing by
  // itself once they are set (see waiting-for-amazon.ts). No request has been sent.
  'waiting_for_amazon',
  'processing',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_ACTIONS = ['start', 'pause', 'resume', 'cancel', 'retry', 'delete'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

/** For each action, the statuses it may be taken from and the status it leads to. */
export const TRANSITIONS: Readonly<
  Record<JobAction, { from: readonly JobStatus[]; to: JobStatus | null }>
> = {
  start: { from: ['pending'], to: 'processing' },
  // A job that was never started (a draft, `auto_start: false`) has nothing to pause: start or
  // delete (discard) it.
  pause: { from: ['waiting_for_amazon', 'processing'], to: 'paused' },
  resume: { from: ['paused'], to: 'processing' },
  cancel: { from: ['pending', 'waiting_for_amazon', 'processing', 'paused'], to: 'cancelled' },
  retry: { from: ['failed', 'cancelled'], to: 'processing' },
  delete: {
    from: ['pending', 'waiting_for_amazon', 'paused', 'completed', 'failed', 'cancelled'],
    to: null,
  },
};

/** Statuses in which a job has ended (a notification is sent on entering one). */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** The actions allowed from a status, for error messages and the UI. */
export function allowedActions(status: JobStatus): JobAction[] {
  return JOB_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(status));
}

/** Throws a typed error saying what is allowed when `action` is illegal from `status`. */
export function assertTransition(jobId: string, status: JobStatus, action: JobAction): void {
  if (TRANSITIONS[action].from.includes(status)) return;
  const allowed = allowedActions(status);
  throw new JobError(
    'illegal_transition',
    `Cannot ${action} job ${jobId}: it is ${status}. ${
      allowed.length > 0 ? `Allowed now: ${allowed.join(', ')}.` : 'No action is allowed now.'
    }`,
    { status, action, allowed },
  );
}
