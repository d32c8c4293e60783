import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { CLI_TIMEOUT_MS, stopChild } from './cli.js';

/** A node child that runs until stopped; with `onTerm`, it exits with that code on SIGTERM. */
async function startIdleChild(onTerm?: number) {
  const script =
    onTerm === undefined
      ? 'setInterval(() => {}, 1e6); console.log("ready")'
      : `process.on("SIGTERM", () => process.exit(${onTerm})); setInterval(() => {}, 1e6); console.log("ready")`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Its handler is installed before it prints: a SIGTERM sent after this reaches the handler.
  await once(child.stdout, 'data');
  return child;
}

// Every case would wait for ever on the bug it guards against; the timeout turns that into a
// failure with a name, at a bound no loaded machine comes near.
describe('stopChild', { timeout: CLI_TIMEOUT_MS }, () => {
  it('resolves at once for a child already SIGKILLed (exit code null, signal code set)', async () => {
    const child = await startIdleChild();
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(child.exitCode, null);
    assert.equal(child.signalCode, 'SIGKILL');
    assert.equal(await stopChild(child), null);
  });

  it('resolves with the code of a child that has already exited', async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
    await once(child, 'exit');
    assert.equal(await stopChild(child), 3);
  });

  it('signals a running child and resolves with its exit code', async () => {
    const child = await startIdleChild(0);
    assert.equal(await stopChild(child), 0);
  });

  it('resolves null for a running child that a signal ends', async () => {
    const child = await startIdleChild();
    assert.equal(await stopChild(child, 'SIGKILL'), null);
    assert.equal(child.signalCode, 'SIGKILL');
  });
});
