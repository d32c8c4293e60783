import type { FastifyInstance } from 'fastify';
import { PassThrough } from 'node:stream';
import { TERMINAL_STATUSES } from '../../jobs/job-status.js';
import { getJob, type Job } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { JOB_ERRORS, JOB_PARAMS, TAGS } from './job-schemas.js';
import { jobProgressView } from './job-view.js';
import type { JobsRouteDeps } from './route-deps.js';

/** How often the job is read for the event stream. */
export const EVENT_INTERVAL_MS = 1000;
const DEFAULT_HEARTBEAT_S = 15;

const EVENTS_SCHEMA = {
  tags: TAGS,
  summary: 'Server-Sent Events: the job (status, counters, progress) while it changes',
  description:
    'text/event-stream. `event: progress` at most every second while the job changes, `event: status` when its status changes (the first event is a `status` event), then `event: end` after a terminal status (completed, failed, cancelled) and the stream closes. Comment lines (`: heartbeat`) keep idle connections open.',
  params: JOB_PARAMS,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      heartbeat: {
        type: 'integer',
        minimum: 1,
        maximum: 60,
        default: DEFAULT_HEARTBEAT_S,
        description:
          'Seconds between heartbeat comments (lower it behind proxies with short idle timeouts).',
      },
    },
  },
  produces: ['text/event-stream'],
  response: {
    200: {
      type: 'string',
      description: 'The event stream.',
      examples: [
        'event: status\ndata: {"id":"0b6f…","status":"processing","counters":{…},"progress":{"percent":12.5,"done":125,"total":1000}}\n\n: heartbeat\n\nevent: progress\ndata: {…}\n\nevent: end\ndata: {"status":"completed"}\n\n',
      ],
    },
    ...JOB_ERRORS,
  },
};

type EventsRequest = { Params: { id: string }; Querystring: { heartbeat: number } };

/** The part of a job the stream sends (no options, no pre-flight: those do not change). */
async function eventPayload(deps: JobsRouteDeps, job: Job) {
  const view = await jobProgressView(deps.jobs.database.db, job);
  const { id, name, status, counters, progress, allowed_actions, error_message, updated_at } = view;
  return { id, name, status, counters, progress, allowed_actions, error_message, updated_at };
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** `GET /jobs/{id}/events`: the job's progress as Server-Sent Events. */
export function registerEventRoutes(app: FastifyInstance, deps: JobsRouteDeps): void {
  const open = new Set<() => void>();
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const stop of [...open]) stop();
  });

  app.get<EventsRequest>('/jobs/:id/events', { schema: EVENTS_SCHEMA }, async (request, reply) => {
    const owner = ownerFilter(requireAuth(request));
    const first = await getJob(deps.jobs.database.db, request.params.id, owner);
    const stream = new PassThrough();
    const stop = streamJob(deps, first, owner, stream, request.query.heartbeat * 1000, (err) =>
      request.log.warn({ err, jobId: first.id }, 'job event stream failed'),
    );
    open.add(stop);
    stream.on('close', () => {
      open.delete(stop);
      stop();
    });
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no');
    return reply.send(stream);
  });
}

/**
 * Writes the job's events to `stream` until the job ends, the job disappears or `stop` is
 * called (client gone, server closing). Returns `stop`.
 */
function streamJob(
  deps: JobsRouteDeps,
  first: Job,
  owner: string | null,
  stream: PassThrough,
  heartbeatMs: number,
  onError: (err: unknown) => void,
): () => void {
  let stopped = false;
  let lastStatus: string | null = null;
  let lastData = '';
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(poll);
    clearInterval(beat);
    if (!stream.writableEnded) stream.end();
  };
  const send = async (job: Job) => {
    const data = await eventPayload(deps, job);
    const text = JSON.stringify(data);
    if (stopped) return;
    if (job.status !== lastStatus) stream.write(frame('status', data));
    else if (text !== lastData) stream.write(frame('progress', data));
    lastStatus = job.status;
    lastData = text;
    if (TERMINAL_STATUSES.includes(job.status)) {
      stream.write(frame('end', { status: job.status }));
      stop();
    }
  };
  let busy = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      await send(await getJob(deps.jobs.database.db, first.id, owner));
    } catch (err) {
      if ((err as { code?: string }).code === 'job_not_found' && !stopped) {
        stream.write(frame('end', { status: 'deleted' }));
      } else onError(err);
      stop();
    } finally {
      busy = false;
    }
  };
  stream.write('retry: 3000\n\n');
  const poll = setInterval(() => void tick(), EVENT_INTERVAL_MS);
  const beat = setInterval(() => {
    if (!stopped) stream.write(': heartbeat\n\n');
  }, heartbeatMs);
  busy = true;
  void send(first)
    .catch((err: unknown) => {
      onError(err);
      stop();
    })
    .finally(() => {
      busy = false;
    });
  return stop;
}
