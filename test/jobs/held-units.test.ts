import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClaimedUnit } from '../../src/db/work-queue.js';
import { HeldUnits, type Held } from '../../src/jobs/held-units.js';
import type { Route } from '../../src/jobs/provider-chain.js';

// The worker's queue keeps its counts per route and per group as units come and go (counting the
// whole queue on every lane's turn cost seconds of CPU); what it answers must stay what a count
// of the queue gives.

let nextId = 1;
function held(route: Route, opts: { job?: string; key?: string; max?: number } = {}): Held {
  const unit = { id: nextId++, job_id: opts.job ?? 'j1', marketplace: 'fr' } as ClaimedUnit;
  return {
    unit,
    owner: 'o',
    route,
    batchKey: opts.key ?? '',
    maxPerCall: opts.max ?? 3,
    heldAt: 0,
  };
}

describe('held units: counts kept as units come and go', () => {
  it('queuedFor follows add, takeBatch and dropQueued', () => {
    const h = new HeldUnits();
    h.add([held('find:keepa'), held('find:keepa'), held('find:creators', { max: 1 })]);
    h.add([held('find:keepa', { job: 'j2' })]);
    assert.deepEqual(
      [h.queuedFor('find:keepa'), h.queuedFor('find:creators'), h.queuedFor()],
      [3, 1, 4],
    );
    assert.equal(h.takeBatch('find:creators')?.length, 1);
    assert.equal(h.queuedFor('find:creators'), 0);
    assert.equal(h.takeBatch('find:keepa')?.length, 2, 'the two of job j1 share a request');
    assert.equal(h.queuedFor('find:keepa'), 1);
    assert.equal(h.dropQueued('j2').length, 1);
    assert.deepEqual([h.queuedFor('find:keepa'), h.queued], [0, 0]);
  });

  it('a full group only: the oldest unit whose group fills a request, none while no group does', () => {
    const h = new HeldUnits();
    h.add([held('find:keepa', { key: 'a' }), held('find:keepa', { key: 'b' })]);
    h.add([held('find:keepa', { key: 'b' }), held('find:keepa', { key: 'a' })]);
    assert.equal(h.takeBatch('find:keepa', true), null, 'two of each: no group fills 3');
    h.add([held('find:keepa', { key: 'b' })]);
    const batch = h.takeBatch('find:keepa', true);
    assert.deepEqual(
      batch?.map((b) => b.batchKey),
      ['b', 'b', 'b'],
    );
    assert.equal(h.takeBatch('find:keepa', true), null, 'group a still short');
    h.add([held('find:keepa', { key: 'a' })]);
    assert.equal(h.takeBatch('find:keepa', true)?.length, 3, 'group a full now');
    assert.equal(h.queued, 0);
  });

  it('a group fills by its own units’ size: a later route is not counted in', () => {
    const h = new HeldUnits();
    h.add([held('find:spapi', { max: 2 }), held('find:keepa', { max: 2 })]);
    assert.equal(h.takeBatch('find:keepa', true), null);
    assert.equal(h.takeBatch(undefined, true), null, 'one unit per route: nothing full');
    h.add([held('find:spapi', { max: 2 })]);
    assert.equal(h.takeBatch('find:keepa', true), null);
    assert.equal(h.takeBatch(undefined, true)?.[0]?.route, 'find:spapi');
  });
});
