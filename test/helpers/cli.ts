import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/code2asin.js', import.meta.url));

/**
 * How long a command may take to run or to get ready: "eventually", not a speed figure. Each
 * start compiles the sources through tsx; on a loaded 2-core machine (two suites and four
 * CPU-bound processes) a worker took over 30 s to print that it had started, and at load 40
 * (the same plus other work) `serve` with its worker child was not listening after 180 s.
 */
export const CLI_TIMEOUT_MS = 600_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `code2asin …` to completion with the given environment (added to this process's). */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = CLI_TIMEOUT_MS,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`code2asin ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running `code2asin …` and waits until `ready` matches its output. */
export function startCli(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = CLI_TIMEOUT_MS,
): Promise<{
  child: ChildProcessWithoutNullStreams;
  match: RegExpMatchArray;
  output: () => string;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`code2asin ${args.join(' ')} not ready in time:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = out.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code2asin ${args.join(' ')} exited with ${code} before ready:\n${out}`));
    });
  });
}

/**
 * Sends a signal and waits for the exit code: null when a signal ended the child. A child that
 * has already exited, by a code or by a signal (one SIGKILLed earlier keeps a null exit code and
 * a signal code), resolves at once with what it ended with.
 */
export function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/**
 * Lets `child` run in short steps (SIGCONT, `stepMs`, SIGSTOP) until `check` holds, and leaves it
 * stopped there (the caller kills or interrupts it, then sends SIGCONT if it should go on).
 * A step gives the child at most `stepMs` of wall-clock time, so at most that much progress
 * however loaded the machine is: a state the test must catch (mid-job, mid-read) cannot slip
 * past between two looks, as it can when a busy test process polls a free-running child.
 * Returns false when the child exited first. `check` runs while the child is stopped: it must not
 * wait on the child (a database lock the child holds); such a check continues it meanwhile.
 */
export async function stepUntil(
  child: ChildProcess,
  check: () => boolean | Promise<boolean>,
  { stepMs = 20, timeoutMs = CLI_TIMEOUT_MS } = {},
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    child.kill('SIGSTOP');
    if (await check()) return true;
    if (Date.now() > end) throw new Error('stepUntil: condition not met in time');
    child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
