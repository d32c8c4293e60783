import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/db/database.js';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { BIN, CLI_TIMEOUT_MS, ROOT } from '../helpers/cli.js';
import { startTestEmulator } from '../helpers/jobs.js';

/**
 * A long-running command sent SIGTERM at any point of its start-up ends by its shutdown path
 * (exit code 0), never by the signal: the handlers are installed before it opens or prints
 * anything, and a signal during start-up is honoured once start-up ends. Each command is stopped
 * at several points — once it has opened its database file (before its first line), after its
 * first line, after a later line, right after it says it is ready — every start on its own
 * process, all at once. Where a point falls in the start-up depends on the machine, but no point
 * may end a command by the signal: the verdict does not depend on the load, only which code
 * path is exercised does.
 */

const SECRET = 'cd'.repeat(32);

/** When to send SIGTERM: a number of output lines, or once the database file exists. */
type StopPoint = { lines: number } | { file: string } | { ready: RegExp };

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** Output lines seen when SIGTERM was sent (-1: the command ended before it was sent). */
  linesAtSignal: number;
}

function reached(point: StopPoint, output: string): boolean {
  if ('lines' in point) return output.split('\n').length - 1 >= point.lines;
  if ('ready' in point) return point.ready.test(output);
  return existsSync(point.file);
}

/** Starts `code2asin args`, sends `signal` once `point` is reached, resolves when it ended. */
function stopAt(
  args: string[],
  env: Record<string, string>,
  point: StopPoint,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CODE2ASIN_LOG_LEVEL: 'info', ...env },
    });
    let output = '';
    let linesAtSignal = -1;
    const signalIfReached = () => {
      if (linesAtSignal >= 0 || child.exitCode !== null || !reached(point, output)) return;
      linesAtSignal = output.split('\n').length - 1;
      child.kill(signal);
    };
    child.stdout.on('data', (d: Buffer) => ((output += d.toString()), signalIfReached()));
    child.stderr.on('data', (d: Buffer) => ((output += d.toString()), signalIfReached()));
    // The file appears without any output: look for it until it is there (10 ms apart).
    const poll = 'file' in point ? setInterval(signalIfReached, 10) : undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`code2asin ${args.join(' ')} did not end in time:\n${output}`));
    }, CLI_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, signal, output, linesAtSignal });
    });
  });
}

function assertStoppedCleanly(what: string, run: Stopped, logs = true): void {
  const context = `${what} (SIGTERM after ${run.linesAtSignal} lines):\n${run.output}`;
  assert.notEqual(run.linesAtSignal, -1, `${what}: ended before it was signalled\n${run.output}`);
  assert.equal(run.signal, null, `ended by ${run.signal}: ${context}`);
  assert.equal(run.code, 0, context);
  if (logs) assert.match(run.output, /SIGTERM received( during start-up)?: shutting down/, context);
  // serve's worker child is asked to stop however far its own start-up got.
  assert.doesNotMatch(run.output, /ended by a signal/, context);
}

describe(
  'SIGTERM during start-up ends a command by its shutdown, never by the signal',
  {
    timeout: CLI_TIMEOUT_MS,
  },
  () => {
    let dir: string;
    before(() => void (dir = mkdtempSync(join(tmpdir(), 'c2a-stop-startup-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** A database of its own per start: the file's appearance marks a start-up under way. */
    const sqlite = (name: string) => {
      const file = join(dir, `${name}.db`);
      return { file, env: { DATABASE_URL: `sqlite:${file}`, CODE2ASIN_SECRET_KEY: SECRET } };
    };

    it('serve (its worker a child process, stopped during its own start-up too)', async () => {
      const points: [string, (file: string) => StopPoint][] = [
        ['database file, no line yet', (file) => ({ file })],
        ['first line', () => ({ lines: 1 })],
        ['fourth line', () => ({ lines: 4 })],
        ['listening', () => ({ ready: /listening on http/ })],
      ];
      const runs = await Promise.all(
        points.map(([name, point], i) => {
          const db = sqlite(`serve-${i}`);
          const env = { ...db.env, CODE2ASIN_WORKER: 'process' };
          return stopAt(['serve', '--port', '0'], env, point(db.file)).then((run) => ({
            name,
            run,
          }));
        }),
      );
      for (const { name, run } of runs) assertStoppedCleanly(`serve at ${name}`, run);
    });

    it('worker', async () => {
      const points: [string, (file: string) => StopPoint][] = [
        ['database file, no line yet', (file) => ({ file })],
        ['first line', () => ({ lines: 1 })],
        ['started', () => ({ ready: /worker \S+ started/ })],
      ];
      const runs = await Promise.all(
        points.map(([name, point], i) => {
          const db = sqlite(`worker-${i}`);
          return stopAt(['worker'], db.env, point(db.file)).then((run) => ({ name, run }));
        }),
      );
      for (const { name, run } of runs) assertStoppedCleanly(`worker at ${name}`, run);
    });

    it('demo (its emulator, server and sample job; stopped while the sample job runs too)', async () => {
      const points: [string, (file: string) => StopPoint][] = [
        ['database file, no line yet', (file) => ({ file })],
        ['sample job running', () => ({ ready: /Running the sample job \S+/ })],
        ['ready', () => ({ ready: /Ctrl-C to stop\./ })],
      ];
      const runs = await Promise.all(
        points.map(([name, point], i) => {
          const data = join(dir, `demo-${i}`);
          // The demo sets its own database, key and token: only the folder (and a free port) given.
          const args = ['demo', '--port', '0', '--data', data];
          return stopAt(args, {}, point(join(data, 'code2asin.db'))).then((run) => ({ name, run }));
        }),
      );
      for (const { name, run } of runs) assertStoppedCleanly(`demo at ${name}`, run);
    });

    it('emulator (no logger: it exits 0 and says nothing)', async () => {
      const points: StopPoint[] = [{ lines: 1 }, { ready: /Ctrl-C to stop/ }];
      const runs = await Promise.all(
        points.map((point) => stopAt(['emulator', '--port', '0'], {}, point)),
      );
      for (const run of runs) assertStoppedCleanly('emulator', run, false);
    });

    it('map: Ctrl-C while the file is read pauses the job as soon as it exists (exit 130)', async () => {
      const emu: RunningEmulator = await startTestEmulator({ tps: 50, burst: 1, count: 150 });
      try {
        const db = sqlite('map');
        const input = join(dir, 'codes.csv');
        const codes = (emu.catalog.truth ?? []).map((t) => t.code).slice(0, 60);
        writeFileSync(input, `code\n${codes.join('\n')}\n`);
        // One request a second: the job cannot end before the pause, however fast the machine.
        const env = { ...emu.env('creators'), ...db.env, AMAZON_TPS: '1', AMAZON_BURST: '1' };
        const args = ['map', input, '-o', join(dir, 'out.csv'), '--marketplace', 'fr'];
        const run = await stopAt(args, env, { file: db.file }, 'SIGINT');
        const context = `SIGINT after ${run.linesAtSignal} lines:\n${run.output}`;
        assert.equal(run.signal, null, `ended by ${run.signal}: ${context}`);
        assert.equal(run.code, 130, context);
        assert.match(run.output, /Pausing…/, context);
        assert.match(run.output, /paused: run the same command again to resume/, context);
        const database = openDatabase(db.env.DATABASE_URL);
        try {
          const jobs = await database.db.selectFrom('code2asin_jobs').select(['status']).execute();
          assert.deepEqual(jobs, [{ status: 'paused' }], 'the whole file read, the job paused');
        } finally {
          await database.close();
        }
      } finally {
        await emu.close();
      }
    });
  },
);
