import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import type { EmulatorStats, OperationStats } from '../../src/emulator/index.js';
import type { EmulatorProcess } from './emulator-process.js';

const BIN = fileURLToPath(new URL('../../bin/code2asin.js', import.meta.url));

/** One operation's counters of one credential, as two stats snapshots give them. */
export interface OperationSnapshot {
  requests: number;
  throttled: number;
  lastArrivalMs: number | null;
  maxPerSecond: number;
}

export function operationOf(
  stats: EmulatorStats,
  credential: string,
  op: string,
): OperationSnapshot {
  const o: OperationStats | undefined = stats.credentials[credential]?.operations[op];
  return {
    requests: o?.requests ?? 0,
    throttled: o?.status['429'] ?? 0,
    lastArrivalMs: o?.lastArrivalMs ?? null,
    maxPerSecond: o?.maxPerSecond ?? 0,
  };
}

/** What one `code2asin map` run did, as the emulator counted it. */
export interface MapRun {
  exitCode: number | null;
  wallSeconds: number;
  /** Counters before the run, when its first search was seen, and at the end (cumulative). */
  before: OperationSnapshot;
  first: OperationSnapshot;
  last: OperationSnapshot;
  /** Codes done in the map's database at the first snapshot and at the end (window runs). */
  doneAtFirst: number;
  doneAtEnd: number;
  /** Wall seconds between the two snapshots (window runs). */
  windowSeconds: number;
  stderr: string;
}

/** Units of the map's job that have an outcome (read beside the running map: SQLite WAL). */
export function doneUnits(dbFile: string): number {
  const db = new Sqlite(dbFile, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare(
        "select count(*) as n from code2asin_results where status not in ('pending', 'claimed')",
      )
      .get() as { n: number };
    return row.n;
  } catch {
    return 0; // not migrated yet
  } finally {
    db.close();
  }
}

/**
 * Runs `code2asin map <file>` in its own process against the emulator process and watches the
 * credential's search counter. With `windowSeconds`, the map is interrupted (SIGINT, as Ctrl-C)
 * that long after its first search: the rate over that window stands for the whole file.
 */
export async function runMap(
  emu: EmulatorProcess,
  args: string[],
  env: Record<string, string>,
  watch: { credential: string; op: string; dbFile: string; windowSeconds?: number },
): Promise<MapRun> {
  const before = operationOf(await emu.stats(), watch.credential, watch.op);
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'map', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let running = true;
  void exited.then(() => (running = false));
  let first: OperationSnapshot | null = null;
  let doneAtFirst = 0;
  let tFirst = 0;
  while (running && first === null) {
    await new Promise((r) => setTimeout(r, 200));
    const seen = operationOf(await emu.stats(), watch.credential, watch.op);
    if (seen.requests > before.requests) {
      first = seen;
      tFirst = performance.now();
      doneAtFirst = doneUnits(watch.dbFile);
    }
  }
  let windowSeconds = 0;
  let doneAtEnd = 0;
  if (watch.windowSeconds !== undefined && running) {
    await Promise.race([exited, new Promise((r) => setTimeout(r, watch.windowSeconds! * 1000))]);
    doneAtEnd = doneUnits(watch.dbFile);
    windowSeconds = (performance.now() - tFirst) / 1000;
    const lastSeen = operationOf(await emu.stats(), watch.credential, watch.op);
    child.kill('SIGINT');
    const code = await exited;
    return {
      exitCode: code,
      wallSeconds: (performance.now() - t0) / 1000,
      before,
      first: first ?? lastSeen,
      last: lastSeen,
      doneAtFirst,
      doneAtEnd,
      windowSeconds,
      stderr,
    };
  }
  const exitCode = await exited;
  const wallSeconds = (performance.now() - t0) / 1000;
  const last = operationOf(await emu.stats(), watch.credential, watch.op);
  doneAtEnd = doneUnits(watch.dbFile);
  return {
    exitCode,
    wallSeconds,
    before,
    first: first ?? last,
    last,
    doneAtFirst,
    doneAtEnd,
    windowSeconds: (performance.now() - (tFirst || t0)) / 1000,
    stderr,
  };
}

/**
 * Requests per second between the two snapshots, exact: requests answered between them over the
 * time between their last arrivals (stamped by the emulator's clock, not ours).
 */
export function requestRate(run: MapRun): number {
  const span = ((run.last.lastArrivalMs ?? 0) - (run.first.lastArrivalMs ?? 0)) / 1000;
  return span > 0 ? (run.last.requests - run.first.requests) / span : 0;
}
