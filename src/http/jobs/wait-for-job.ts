import type { IncomingMessage } from 'node:http';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { getJob, type Job } from '../../jobs/jobs-repository.js';

/** `?wait=N` on `GET /jobs/{id}`: seconds to hold the answer while the job runs. */
export const WAIT_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    wait: {
      type: 'integer',
      minimum: 0,
      maximum: 300,
      description:
        'Seconds to wait while the job is processing (0–300, default 0: answer at once).',
    },
  },
};

/** How often a waiting request re-reads the job's status (one indexed read by id). */
const POLL_MS = 250;

/**
 * Re-reads the job until it is no longer `processing`, the time is up or the client went away.
 * A poll, not a subscription: one read by primary key every 250 ms per waiting request is
 * cheaper than the job's detail the caller would otherwise poll for.
 */
export async function waitWhileRunning(
  db: Kysely<DB>,
  job: Job,
  ms: number,
  request: IncomingMessage,
): Promise<Job> {
  const end = Date.now() + ms;
  let current = job;
  let gone = false;
  // The socket, not the request: a GET's request stream closes as soon as it has been read.
  const socket = request.socket as IncomingMessage['socket'] | undefined;
  const onClose = () => (gone = true);
  socket?.once('close', onClose);
  try {
    while (current.status === 'processing' && Date.now() < end && !gone) {
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, end - Date.now()))));
      current = await getJob(db, job.id);
    }
  } finally {
    socket?.off('close', onClose);
  }
  return current;
}
