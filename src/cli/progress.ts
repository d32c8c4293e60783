import { jobProgress } from '../jobs/job-progress.js';
import type { Job } from '../jobs/jobs-repository.js';

/** Done/total, found, rate and ETA of a running job, drawn as a bar on a terminal. */
export function createProgressReporter(stream: NodeJS.WriteStream, intervalMs: number) {
  const tty = stream.isTTY === true;
  const samples: { t: number; done: number }[] = [];
  let lastLine = 0;
  return {
    update(job: Job): void {
      const now = Date.now();
      samples.push({ t: now, done: job.counters.done });
      while (samples.length > 2 && now - (samples[0]?.t ?? now) > 15_000) samples.shift();
      if (!tty && now - lastLine < intervalMs) return;
      lastLine = now;
      const line = formatProgress(job, rate(samples));
      stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    finish(): void {
      if (tty) stream.write('\n');
    },
  };
}

function rate(samples: { t: number; done: number }[]): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.t === first.t) return 0;
  return ((last.done - first.done) * 1000) / (last.t - first.t);
}

/** One progress line: `[####......] 120/600 20% · found 98 · 1.0/s · ETA 8m00s`. */
export function formatProgress(job: Job, perSecond: number): string {
  const total = Math.max(job.counters.done, totalUnits(job));
  const done = job.counters.done;
  const p = jobProgress({
    total,
    open: total - done,
    status: job.status,
    ratePerSecond: perSecond > 0 ? perSecond : null,
  });
  const width = 24;
  const filled = Math.round((p.percent / 100) * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const eta = p.eta_seconds === null ? '—' : formatDuration(p.eta_seconds);
  return `[${bar}] ${done}/${total} ${Math.floor(p.percent)}% · found ${job.counters.found} · to review ${job.counters.to_review} · not found ${job.counters.not_found} · errors ${job.counters.errors} · ${perSecond.toFixed(1)}/s · ETA ${eta}`;
}

function totalUnits(job: Job): number {
  const p = job.preflight;
  if (!p) return 0;
  return p.distinct_codes * p.marketplaces.length;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * `Reading codes.csv: 350,000 rows` while a file is read into a job: redrawn on a terminal (at
 * most 10 times a second), a line every `intervalMs` otherwise; `finish` prints the total and
 * the time it took.
 */
export function createReadingReporter(
  stream: NodeJS.WriteStream,
  name: string,
  intervalMs: number,
  now: () => number = Date.now,
) {
  const tty = stream.isTTY === true;
  const started = now();
  let lastLine = started;
  let drawn = false;
  return {
    update(rows: number): void {
      const t = now();
      if (t - lastLine < (tty ? 100 : intervalMs)) return;
      lastLine = t;
      const line = `Reading ${name}: ${rows.toLocaleString('en')} rows`;
      stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      drawn = true;
    },
    finish(rows: number): void {
      const line = `Read ${name}: ${rows.toLocaleString('en')} rows in ${formatDuration((now() - started) / 1000)}.`;
      stream.write(tty && drawn ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
