import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import {
  catchStopSignals,
  StoppedDuringStartup,
  type StopSignals,
} from '../../src/cli/stop-signals.js';

/** Signals emitted by the test on an emitter of its own, exits recorded instead of made. */
function fakeProcess() {
  const source = new EventEmitter();
  const exits: number[] = [];
  const logged: string[] = [];
  const signals = catchStopSignals({ source, exit: (code) => exits.push(code) });
  const logger = { info: (msg: string) => logged.push(msg), error: () => undefined };
  const send = (signal: 'SIGINT' | 'SIGTERM') => source.emit(signal, signal);
  const listeners = () => source.listenerCount('SIGINT') + source.listenerCount('SIGTERM');
  return { signals, exits, logged, logger, send, listeners };
}

/** A start-up the test finishes when it wants (a promise that settles on its word). */
function gate<T>() {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { promise, open, fail };
}

/** Runs a service whose start-up waits for `startup`, counting how often its stop ran. */
function runCounted(signals: StopSignals, startup: Promise<void>, logger?: object) {
  const counts = { stops: 0 };
  const done = signals.runService(async () => {
    await startup;
    return { logger: logger as never, stop: async () => void (counts.stops += 1) };
  });
  return { counts, done };
}

describe('stop signals caught from the start of a command', () => {
  it('installs its handlers at once, so the default action (terminate) never applies', () => {
    const before = process.listenerCount('SIGTERM');
    const signals = catchStopSignals();
    try {
      assert.equal(process.listenerCount('SIGTERM'), before + 1);
      assert.equal(process.listenerCount('SIGINT') >= 1, true);
    } finally {
      signals.release();
    }
    assert.equal(process.listenerCount('SIGTERM'), before);
  });

  it('a signal during start-up stops the service once start-up ends: its stop runs once', async () => {
    const p = fakeProcess();
    const startup = gate<void>();
    const { counts, done } = runCounted(p.signals, startup.promise, p.logger);
    p.send('SIGTERM');
    assert.equal(p.signals.received, 'SIGTERM');
    assert.ok(p.signals.startupAbort.aborted, 'start-up waits are told to give up');
    assert.ok(p.signals.startupAbort.reason instanceof StoppedDuringStartup);
    assert.equal(counts.stops, 0, 'nothing to stop before start-up ends');
    startup.open();
    await done;
    assert.equal(counts.stops, 1);
    assert.deepEqual(p.exits, [], 'no exit forced: the command ends by itself');
    assert.deepEqual(p.logged, ['SIGTERM received during start-up: shutting down']);
    assert.equal(p.listeners(), 0, 'handlers removed once stopped');
  });

  it('a signal before runService is called counts as well', async () => {
    const p = fakeProcess();
    p.send('SIGINT');
    const { counts, done } = runCounted(p.signals, Promise.resolve(), p.logger);
    await done;
    assert.equal(counts.stops, 1);
    assert.deepEqual(p.logged, ['SIGINT received during start-up: shutting down']);
  });

  it('a running service waits for the signal, then stops once', async () => {
    const p = fakeProcess();
    const { counts, done } = runCounted(p.signals, Promise.resolve(), p.logger);
    let settled = false;
    void done.then(() => (settled = true));
    // Start-up has ended (its promise resolved): the service now waits for the signal only.
    await sleep(0);
    await sleep(0);
    assert.equal(settled, false);
    assert.equal(counts.stops, 0);
    p.send('SIGTERM');
    await done;
    assert.equal(counts.stops, 1);
    assert.deepEqual(p.logged, ['SIGTERM received: shutting down']);
  });

  it('a second signal exits at once (130), during start-up as during the stop', async () => {
    const early = fakeProcess();
    const startup = gate<void>();
    const run = runCounted(early.signals, startup.promise);
    early.send('SIGTERM');
    early.send('SIGINT');
    assert.deepEqual(early.exits, [130]);
    startup.open();
    await run.done;

    const late = fakeProcess();
    const stopping = gate<void>();
    const done = late.signals.runService(async () => ({ stop: () => stopping.promise }));
    late.send('SIGTERM');
    await sleep(0);
    late.send('SIGTERM');
    assert.deepEqual(late.exits, [130]);
    stopping.open();
    await done;
  });

  it('start-up aborted by the signal resolves (a clean stop); another start-up error is thrown', async () => {
    const p = fakeProcess();
    const startup = gate<void>();
    const { counts, done } = runCounted(p.signals, startup.promise);
    p.send('SIGTERM');
    // As a wait of start-up fails on the abort: fetch and timers/promises wrap the reason.
    startup.fail(new Error('aborted', { cause: p.signals.startupAbort.reason }));
    await done;
    assert.equal(counts.stops, 0, 'nothing was started');
    assert.equal(p.listeners(), 0);

    const q = fakeProcess();
    const broken = runCounted(q.signals, Promise.reject(new Error('port in use')));
    await assert.rejects(broken.done, /port in use/);
    assert.equal(q.listeners(), 0, 'handlers removed: the failed command is not kept alive');
  });

  it('a failed stop is logged and the service still ends', async () => {
    const p = fakeProcess();
    const errors: string[] = [];
    const logger = { info: () => undefined, error: (_o: object, msg: string) => errors.push(msg) };
    p.send('SIGTERM');
    await p.signals.runService(async () => ({
      logger,
      stop: () => Promise.reject(new Error('close failed')),
    }));
    assert.deepEqual(errors, ['shutdown failed']);
  });

  it('a stop requested from inside (the parent gone) is a first signal', async () => {
    const p = fakeProcess();
    const { counts, done } = runCounted(p.signals, Promise.resolve());
    p.signals.request('SIGTERM');
    await done;
    assert.equal(counts.stops, 1);
  });

  it('a stop requested after a signal is not a second signal (no exit at once)', async () => {
    const p = fakeProcess();
    const stopping = gate<void>();
    const done = p.signals.runService(async () => ({ stop: () => stopping.promise }));
    // Ctrl-C reaches serve and its worker child; serve's stop then closes the child's channel.
    p.send('SIGINT');
    p.signals.request('SIGTERM');
    assert.deepEqual(p.exits, []);
    stopping.open();
    await done;
  });
});
