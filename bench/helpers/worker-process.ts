import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

/**
 * Starts `code2asin worker` of the checkout at `root` and resolves once it says it started. The
 * rest of its output is read and dropped (a full pipe would block it), or kept in
 * BENCH_WORKER_LOGS/<pid>.log.
 */
export function startWorker(root: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'bin/code2asin.js'), 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!/worker \S+ started/.test(out)) return;
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      const dir = process.env.BENCH_WORKER_LOGS;
      if (dir) {
        const log = createWriteStream(join(dir, `${child.pid}.log`));
        log.write(out);
        child.stdout!.pipe(log);
        child.stderr!.pipe(log);
      } else {
        child.stdout!.resume();
        child.stderr!.resume();
      }
      resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}

/** Stops a worker with SIGTERM (its graceful shutdown) and waits for it to exit. */
export function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
