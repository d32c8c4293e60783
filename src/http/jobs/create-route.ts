import { PROVIDER_NAMES } from '../../config/provider-names.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createJob, type CreateJobInput } from '../../jobs/create-job.js';
import { getJob, type Job } from '../../jobs/jobs-repository.js';
import { formatEta } from '../../jobs/format-eta.js';
import { requireAuth } from '../auth/request-auth.js';
import { refuseUnstoredUpload } from '../error-mapping.js';
import { ERROR_REF, HttpError } from '../http-error.js';
import { inputFromJson, optionsFromForm } from './job-input.js';
import { CREATE_RESPONSE, TAGS } from './job-schemas.js';
import { jobViews } from './job-view.js';
import type { JobsRouteDeps } from './route-deps.js';
import { fieldError, receiveUpload } from './upload.js';

const FORM_BODY = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'CSV, TSV, TXT or XLSX.' },
    name: { type: 'string', description: 'Job name (default: the file name).' },
    supplier_code: { type: 'string' },
    marketplaces: {
      type: 'string',
      description:
        'Comma list or repeated field: fr, de, www.amazon.co.uk… (default: AMAZON_MARKETPLACE).',
    },
    use_amazon_api: {
      type: 'string',
      enum: ['true', 'false'],
      description: "false: import the file's ASIN column as is.",
    },
    providers: {
      type: 'string',
      description:
        'The providers asked in order, comma list or repeated field (e.g. `spapi,creators,keepa`): a code one does not find goes to the next. Default: the configured provider.',
    },
    enrich_with: {
      type: 'string',
      description:
        'A provider that adds offers and prices for the ASINs the others found (e.g. `creators`).',
    },
    options: {
      type: 'string',
      description:
        'Other job options as a JSON object (refresh, auto_start, sheet, asin_column, webhook_url, providers, enrich_with…).',
    },
    column: {
      type: 'string',
      description: 'The code column: header name, letter or 1-based number (default: detected).',
    },
  },
  examples: [{ file: '(codes_ean.csv)', name: 'Mapping Janvier 2026', marketplaces: 'fr,de' }],
};

const JSON_BODY = {
  type: 'object',
  required: ['name', 'codes'],
  properties: {
    name: { type: 'string' },
    codes: { type: 'array', items: { type: 'string' }, maxItems: 100000 },
    marketplaces: { type: 'array', items: { type: 'string' } },
    supplier_code: { type: 'string' },
    use_amazon_api: { type: 'boolean' },
    options: { type: 'object', additionalProperties: true },
  },
  additionalProperties: true,
  examples: [
    { name: 'From a script', codes: ['3017620422003', '0885909950805'], marketplaces: ['fr'] },
  ],
};

const CREATE_SCHEMA = {
  tags: TAGS,
  summary: 'Create a job from an uploaded file (multipart) or a list of codes (JSON)',
  description:
    'multipart/form-data: `file` plus optional fields; the file is streamed to disk, never held in memory, and refused over CODE2ASIN_UPLOAD_LIMIT_MB (413). application/json: `{name, codes, marketplaces, …}`. The job is read, checked (pre-flight report) and started unless `options.auto_start` is false; the answer comes once the input is read (on an ingestion thread in `serve`, CODE2ASIN_INGEST_THREADS).',
  body: {
    content: {
      'multipart/form-data': { schema: FORM_BODY },
      'application/json': { schema: JSON_BODY },
    },
  },
  response: {
    201: CREATE_RESPONSE,
    400: {
      ...ERROR_REF,
      description:
        'Invalid field, empty file, no code column or unreadable file (with the detection report)',
    },
    413: { ...ERROR_REF, description: 'The file is over the upload limit (named)' },
    415: {
      ...ERROR_REF,
      description:
        'Unsupported file format (the supported ones are named), or a body neither multipart nor JSON',
    },
    503: {
      ...ERROR_REF,
      description:
        'ingestion_busy: CODE2ASIN_INGEST_QUEUE uploads are waiting already; database_unavailable: the database cannot be reached. Nothing was stored; send it again after Retry-After seconds',
    },
    507: {
      ...ERROR_REF,
      description:
        'disk_full: the upload cannot be stored (the database volume, or the temporary folder uploads are received in, is full). Nothing of it was kept, no job was created; free space and send it again after Retry-After seconds',
    },
  },
};

function creationMessage(job: Job): string {
  const p = job.preflight;
  const known = p ? `, ${p.already_known} already known` : '';
  const eta = p && p.eta_seconds > 0 ? ` (${formatEta(p.eta_seconds)} at the quota)` : '';
  if (job.status === 'waiting_for_amazon') {
    return `Job created, waiting for Amazon: ${p?.to_query ?? 0} code(s) to query${known}. ${job.error_message ?? ''}`;
  }
  if (job.status === 'pending') {
    return `Job created, not started: start it with POST /api/v1/code2asin/jobs/${job.id}/start.`;
  }
  return `Job created and ${job.status === 'processing' ? 'started' : job.status}: ${p?.to_query ?? 0} code(s) to query${known}${eta}.`;
}

/** `POST /jobs`: multipart upload or JSON codes; answers `{id, job_id, status, message, job}`. */
export function registerCreateRoute(app: FastifyInstance, deps: JobsRouteDeps): void {
  const limit = deps.config.jobs.uploadLimitBytes;
  const marketplace = deps.config.amazon.marketplace;
  app.post(
    '/jobs',
    {
      schema: CREATE_SCHEMA,
      // The body schema documents both forms; Ajv must not touch it: a multipart body is read
      // as a stream by the handler, and the JSON form is validated field by field below.
      validatorCompiler: () => (value: unknown) => ({ value }),
      bodyLimit: Math.max(1024 * 1024, limit),
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const job = await (
        request.isMultipart()
          ? createFromUpload(request, deps, auth.owner, limit, marketplace)
          : createFromJson(request, deps, auth.owner, marketplace)
      ).catch((error: unknown) => {
        throw refuseUnstoredUpload(error);
      });
      const [view] = await jobViews(deps.jobs.database.db, [job]);
      reply.code(201);
      const missing =
        job.status === 'waiting_for_amazon' && deps.jobs.amazonReadiness
          ? { missing_settings: (await deps.jobs.amazonReadiness()).missing }
          : {};
      return {
        id: job.id,
        job_id: job.id,
        status: job.status,
        message: creationMessage(job),
        ...missing,
        job: view,
      };
    },
  );
}

async function createFromUpload(
  request: FastifyRequest,
  deps: JobsRouteDeps,
  owner: string,
  limit: number,
  marketplace: string,
): Promise<Job> {
  const upload = await receiveUpload(request, limit);
  try {
    if (!upload.file) throw fieldError('file', 'is required: send the codes file as "file"');
    const options = optionsFromForm(upload.fields, upload.file.name, marketplace);
    return await createJobThrough(deps, {
      owner,
      options,
      file: upload.file,
      fileLimits: { maxFileBytes: limit },
    });
  } finally {
    // Ingestion has read the whole file (or failed): the temp copy is never kept.
    await upload.cleanup();
  }
}

async function createFromJson(
  request: FastifyRequest,
  deps: JobsRouteDeps,
  owner: string,
  marketplace: string,
): Promise<Job> {
  const type = String(request.headers['content-type'] ?? '');
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `POST /jobs takes multipart/form-data (a file) or application/json (codes), not "${type.split(';')[0]}".`,
      { content_type: type.split(';')[0] },
    );
  }
  const { codes, options } = inputFromJson(request.body, marketplace);
  return createJobThrough(deps, { owner, options, codes });
}

/**
 * Creates the job on an ingestion thread when the process has them (`serve`), else here. The
 * answer is the same either way: the job with its pre-flight report, or the file's error.
 */
async function createJobThrough(deps: JobsRouteDeps, input: CreateJobInput): Promise<Job> {
  if (!deps.ingestion) return createJob(deps.jobs, input);
  // The thread has no Amazon settings: it is told whether they are ready, as read here.
  const readiness = await deps.jobs.amazonReadiness?.();
  const batching = await deps.jobs.lookupBatching?.();
  const shape = batching && {
    maxCodesPerCall: batching.maxCodesPerCall,
    requestsPerSecond: batching.requestsPerSecond,
  };
  const info = deps.jobs.providerInfo;
  const providers = info ? await Promise.all(PROVIDER_NAMES.map((p) => info(p))) : undefined;
  const id = await deps.ingestion.createJob(input, readiness, shape, providers);
  return getJob(deps.jobs.database.db, id);
}
