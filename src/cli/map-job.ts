import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { FileError, surfaceMessage, invalidReasons, invalidSummary } from '../files/index.js';
import { createJob, sha256File } from '../jobs/create-job.js';
import { assertReadableFile } from './input-file.js';
import { getJob, unfinishedJobsOfSource, type Job } from '../jobs/jobs-repository.js';
import { applyJobAction } from '../jobs/lifecycle.js';
import { formatEta } from '../jobs/format-eta.js';
import { releaseWaitingJobs } from '../jobs/waiting-for-amazon.js';
import { DECIMAL_CHOICES, type DecimalChoice } from '../jobs/decimal-separator.js';
import { RESULT_FORMATS, writeJobResults, type ResultFormat } from '../jobs/result-export.js';
import { createProgressReporter, createReadingReporter } from './progress.js';
import { openCliRuntime, type CliRuntime } from './runtime.js';
import { catchPauseSignals, type StopSignals } from './stop-signals.js';

export interface MapOptions {
  output?: string;
  marketplace: string;
  column?: string;
  sheet?: string;
  format?: string;
  decimal?: string;
  refresh?: boolean;
  name?: string;
  owner: string;
  provider?: string;
  providers?: string[];
  enrichWith?: string;
}

/**
 * Runs `code2asin map`: find or create the job, run it here, write the result file. A stop
 * signal (`signals`, caught since the command began) pauses the job, also one sent while the file
 * was still being read: the job is paused as soon as it exists.
 */
export async function runMap(
  file: string,
  opts: MapOptions,
  signals: StopSignals = catchPauseSignals(),
): Promise<void> {
  try {
    await mapFile(file, opts, signals);
  } finally {
    signals.release();
  }
}

async function mapFile(file: string, opts: MapOptions, signals: StopSignals): Promise<void> {
  const format = resultFormat(opts);
  const output = resolve(
    opts.output ?? `${file.slice(0, file.length - extname(file).length)}-asins.${format}`,
  );
  assertReadableFile(file);
  const decimal = decimalChoice(opts);
  const runtime = await openCliRuntime({ logLevel: 'warn' });
  try {
    const job = await findOrCreateJob(runtime, resolve(file), opts).catch((error: unknown) => {
      // The file's hint names the flag (--column), not the API field.
      if (error instanceof FileError)
        throw Object.assign(new Error(surfaceMessage(error, 'cli')), { exitCode: 2 });
      throw error;
    });
    const ended = await runUntilSettled(runtime, job, signals);
    await runtime.jobs.ctx.images?.idle();
    await writeAtomically(output, (out) =>
      writeJobResults(runtime.jobs.ctx, ended.id, format, out, undefined, decimal),
    );
    printSummary(ended, output);
    if (ended.status === 'paused') process.exitCode = ended.error_message ? 2 : 130;
    if (ended.status === 'waiting_for_amazon') process.exitCode = 2;
  } finally {
    await runtime.close();
  }
}

function decimalChoice(opts: MapOptions): DecimalChoice {
  const d = (opts.decimal ?? 'auto').toLowerCase();
  if ((DECIMAL_CHOICES as readonly string[]).includes(d)) return d as DecimalChoice;
  throw Object.assign(
    new Error(`Unknown decimal separator "${d}": use --decimal ${DECIMAL_CHOICES.join(', ')}.`),
    { exitCode: 2 },
  );
}

function resultFormat(opts: MapOptions): ResultFormat {
  const f = (opts.format ?? (opts.output ? extname(opts.output).slice(1) : 'csv')).toLowerCase();
  if ((RESULT_FORMATS as readonly string[]).includes(f)) return f as ResultFormat;
  throw new Error(`Unknown result format "${f}": use --format ${RESULT_FORMATS.join(', ')}.`);
}

/** The unfinished job of the same file and options (resumed), or a new one. */
async function findOrCreateJob(runtime: CliRuntime, path: string, opts: MapOptions): Promise<Job> {
  const { db } = runtime.database;
  const sha = await sha256File(path);
  const marketplaces = opts.marketplace
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const options = {
    name: opts.name ?? basename(path),
    marketplaces,
    column: opts.column
      ? /^\d+$/.test(opts.column)
        ? Number(opts.column)
        : opts.column
      : undefined,
    sheet: opts.sheet ? (/^\d+$/.test(opts.sheet) ? Number(opts.sheet) : opts.sheet) : undefined,
    refresh: opts.refresh === true,
    ...(opts.providers ? { providers: opts.providers } : {}),
    ...(opts.enrichWith ? { enrich_with: opts.enrichWith } : {}),
  };
  for (const id of await unfinishedJobsOfSource(db, opts.owner, sha)) {
    const job = await getJob(db, id);
    if (job.preflight === null) {
      // A run stopped while reading the file: that job holds part of it. Never resume it; the
      // worker's sweep deletes it once it is stale.
      process.stderr.write(
        `Job ${job.id} of this file was never completely read (its run was stopped while reading it, or is still reading it); reading the file again in a new job.\n`,
      );
      continue;
    }
    if (
      JSON.stringify(job.options.marketplaces) !==
      JSON.stringify(await canonicalMarketplaces(marketplaces))
    )
      continue;
    // Another chain is another job: its units wait for other providers.
    if (
      JSON.stringify(job.options.providers ?? null) !== JSON.stringify(opts.providers ?? null) ||
      (job.options.enrich_with ?? null) !== (opts.enrichWith ?? null)
    )
      continue;
    process.stderr.write(`Resuming job ${job.id} (${job.status}, ${job.counters.done} done).\n`);
    if (job.status === 'paused') return applyJobAction(runtime.jobs.ctx, job.id, 'resume');
    const readiness = runtime.jobs.ctx.amazonReadiness;
    if (job.status === 'waiting_for_amazon' && readiness) {
      await releaseWaitingJobs(runtime.jobs.ctx, readiness, [job.id]);
      return getJob(db, job.id);
    }
    if (job.status === 'pending') return applyJobAction(runtime.jobs.ctx, job.id, 'start');
    if (job.status === 'failed')
      return applyJobAction(runtime.jobs.ctx, job.id, 'retry', { resetRetryCounter: true });
    return job;
  }
  const reading = createReadingReporter(process.stderr, basename(path), 5000);
  const job = await createJob(runtime.jobs.ctx, {
    owner: opts.owner,
    options,
    file: { path, name: basename(path) },
    fileLimits: { maxFileBytes: runtime.config.jobs.uploadLimitBytes },
    onRowsRead: (rows) => reading.update(rows),
  });
  const p = job.preflight;
  reading.finish(job.counters.total_rows);
  if (p) {
    process.stderr.write(
      `Job ${job.id}: ${p.rows} rows, ${p.valid} valid, ${invalidSummary(invalidReasons(0, p.invalid_by_reason), ' invalid')}, ${p.duplicates} duplicates, ${p.already_known} already known, ${p.to_query} to query (${p.requests} requests, ${formatEta(p.eta_seconds)} at the quota).\n`,
    );
    for (const [i, c] of (p.providers ?? []).entries()) {
      const role = c.role === 'enrich' ? 'enrich with' : i === 0 ? 'ask' : 'then';
      const tokens = c.tokens === null ? '' : `, about ${c.tokens} tokens`;
      const bound = c.bound === 'upper_bound' ? 'at most ' : '';
      process.stderr.write(
        `  ${role} ${c.provider}: ${bound}${c.requests} requests${tokens}, ${bound}${formatEta(c.eta_seconds)} at ${c.requests_per_second}/s\n`,
      );
    }
  }
  return job;
}

async function canonicalMarketplaces(list: string[]): Promise<string[]> {
  const { findMarketplace } = await import('../amazon/marketplaces.js');
  return [...new Set(list.map((m) => findMarketplace(m)?.domain ?? m))];
}

/** Runs a worker on this job until it ends or pauses; a stop signal pauses it cleanly. */
async function runUntilSettled(
  runtime: CliRuntime,
  job: Job,
  signals: Pick<StopSignals, 'received'>,
): Promise<Job> {
  const worker = runtime.jobs.startWorker({ jobIds: [job.id], idlePollMs: 200 });
  const progress = createProgressReporter(process.stderr, 5000);
  try {
    for (;;) {
      const current = await getJob(runtime.database.db, job.id);
      progress.update(current);
      if (signals.received !== null && current.status === 'processing') {
        await applyJobAction(runtime.jobs.ctx, job.id, 'pause', { message: null });
        continue;
      }
      // A job waiting for Amazon settings stops `map` at once: the summary names them.
      const settled = ['completed', 'failed', 'cancelled', 'paused', 'waiting_for_amazon'];
      if (settled.includes(current.status)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await worker.stop();
    progress.finish();
  }
  return getJob(runtime.database.db, job.id);
}

async function writeAtomically(
  path: string,
  write: (out: Writable) => Promise<unknown>,
): Promise<void> {
  const tmp = `${path}.partial`;
  const out = createWriteStream(tmp);
  await write(out);
  await new Promise<void>((res, rej) => {
    out.end(() => res());
    out.on('error', rej);
  });
  await rename(tmp, path);
}

function printSummary(job: Job, output: string): void {
  const c = job.counters;
  const lines = [
    `Job ${job.id} ${job.status}.`,
    `  rows ${c.total_rows} · valid ${c.valid_rows} · invalid ${c.invalid_rows} · duplicates ${c.duplicate_rows}`,
    `  found ${c.found} · to review ${c.to_review} · not found ${c.not_found} · errors ${c.errors} · from cache/rules ${c.cached}`,
    `  result file: ${output}${job.status === 'completed' ? '' : ' (partial)'}`,
  ];
  if (job.status === 'waiting_for_amazon') {
    lines.push(`  ${job.error_message ?? 'waiting for Amazon settings.'}`);
    lines.push('  Then run the same command again.');
  }
  if (job.status === 'failed' && job.error_message) {
    // Codes that failed on an outage, or that a refusing provider of the chain never looked up.
    lines.push(`  failed: ${job.error_message}`);
    lines.push('  Run the same command again to retry them.');
  }
  if (job.status === 'paused') {
    lines.push(
      job.error_message
        ? `  paused: ${job.error_message}`
        : '  paused: run the same command again to resume.',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
