import type { ClaimedUnit } from '../db/work-queue.js';
import type { Route } from './provider-chain.js';

/** A claimed unit the worker holds, with what its batching needs. */
export interface Held {
  unit: ClaimedUnit;
  owner: string;
  /** The provider (and step kind) the unit waits for: only that provider's lanes take it. */
  route: Route;
  /** Units with the same job, marketplace, route and key may share a request. */
  batchKey: string;
  /** Codes one request of this unit's provider takes. */
  maxPerCall: number;
  /** When this worker claimed it (Date.now()): how long it has waited for a fuller request. */
  heldAt: number;
}

/**
 * The units a worker holds: queued (claimed, waiting for a lane) and in flight (a lane's request
 * is out). Leases are renewed for both; a stop hands the queued ones back.
 */
export class HeldUnits {
  private readonly queue: Held[] = [];
  private readonly inFlight = new Map<number, Held>();
  /**
   * Queued units per group and per route, kept as units come and go: every lane of a route asks
   * on each turn, and counting the queue each time cost the worker of a 10,000-code chain 4 s of
   * CPU (Keepa's 52 lanes, thousands of units queued while they wait for a fuller request).
   */
  private readonly groups = new Map<string, QueuedGroup>();
  private readonly routes = new Map<Route, number>();

  add(held: readonly Held[]): void {
    this.queue.push(...held);
    for (const h of held) this.count(h, 1);
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queued units of a route (of every route when absent). */
  queuedFor(route?: Route): number {
    return route === undefined ? this.queue.length : (this.routes.get(route) ?? 0);
  }

  private count(h: Held, delta: 1 | -1): void {
    const key = groupKey(h);
    const group = this.groups.get(key) ?? { n: 0, route: h.route, minPerCall: h.maxPerCall };
    group.n += delta;
    group.minPerCall = Math.min(group.minPerCall, h.maxPerCall);
    if (group.n > 0) this.groups.set(key, group);
    else this.groups.delete(key);
    const n = (this.routes.get(h.route) ?? 0) + delta;
    if (n > 0) this.routes.set(h.route, n);
    else this.routes.delete(h.route);
  }

  /** The first queued unit of a route: the one the next short request would start with. */
  firstQueued(route: Route): Held | undefined {
    return this.queue.find((h) => h.route === route);
  }

  /**
   * The next request's worth: the first queued unit (of `route` when given), and after it up to
   * `maxPerCall - 1` more of the same job, marketplace, route and batch key, in claim order. Null
   * when nothing is queued. With `fullOnly`, the oldest unit whose group fills a whole request
   * instead, null when no group does: a request a few codes short costs as much quota as a full one.
   */
  takeBatch(route?: Route, fullOnly = false): Held[] | null {
    const at = fullOnly
      ? this.firstOfFullGroup(route)
      : this.queue.findIndex((h) => route === undefined || h.route === route);
    if (at < 0 || at >= this.queue.length) return null;
    const [first] = this.queue.splice(at, 1) as [Held];
    const batch = [first];
    for (let i = at; i < this.queue.length && batch.length < first.maxPerCall;) {
      const h = this.queue[i] as Held;
      if (sameBatch(first, h)) {
        batch.push(h);
        this.queue.splice(i, 1);
      } else i++;
    }
    for (const h of batch) this.count(h, -1);
    return batch;
  }

  /** Index of the oldest queued unit (of `route`) whose group fills a request, or -1. */
  private firstOfFullGroup(route?: Route): number {
    // Most turns find no group full (a later chain step waiting for its codes): no scan then.
    const full = (g: QueuedGroup) =>
      (route === undefined || g.route === route) && g.n >= g.minPerCall;
    if (!someGroup(this.groups.values(), full)) return -1;
    return this.queue.findIndex(
      (h) =>
        (route === undefined || h.route === route) &&
        (this.groups.get(groupKey(h))?.n ?? 0) >= h.maxPerCall,
    );
  }

  /** The most codes one request of a queued unit (of `route`) takes (1 when none is queued). */
  maxPerCallOf(route?: Route): number {
    return this.queue.reduce(
      (n, h) => (route === undefined || h.route === route ? Math.max(n, h.maxPerCall) : n),
      1,
    );
  }

  startFlight(batch: readonly Held[]): void {
    for (const h of batch) this.inFlight.set(h.unit.id, h);
  }

  endFlight(batch: readonly Held[]): void {
    for (const h of batch) this.inFlight.delete(h.unit.id);
  }

  /** Ids of every unit held, queued or in flight (their leases are renewed). */
  ids(): number[] {
    return [...this.queue, ...this.inFlight.values()].map((h) => h.unit.id);
  }

  jobIds(): string[] {
    return [...new Set([...this.queue, ...this.inFlight.values()].map((h) => h.unit.job_id))];
  }

  holdsJob(jobId: string): boolean {
    return (
      this.queue.some((h) => h.unit.job_id === jobId) ||
      [...this.inFlight.values()].some((h) => h.unit.job_id === jobId)
    );
  }

  /** Removes and returns the queued units of a job (or of every job). */
  dropQueued(jobId?: string): Held[] {
    const dropped: Held[] = [];
    for (let i = 0; i < this.queue.length;) {
      const h = this.queue[i] as Held;
      if (jobId === undefined || h.unit.job_id === jobId) {
        dropped.push(h);
        this.queue.splice(i, 1);
      } else i++;
    }
    for (const h of dropped) this.count(h, -1);
    return dropped;
  }
}

interface QueuedGroup {
  n: number;
  route: Route;
  /** The least `maxPerCall` of its units so far: below it, no unit of the group fills a request. */
  minPerCall: number;
}

const groupKeys = new WeakMap<Held, string>();

function groupKey(h: Held): string {
  let key = groupKeys.get(h);
  if (key === undefined) {
    key = `${h.unit.job_id}\u0000${h.unit.marketplace}\u0000${h.route}\u0000${h.batchKey}`;
    groupKeys.set(h, key);
  }
  return key;
}

function sameBatch(a: Held, b: Held): boolean {
  return (
    a.unit.job_id === b.unit.job_id &&
    a.unit.marketplace === b.unit.marketplace &&
    a.route === b.route &&
    a.batchKey === b.batchKey
  );
}

function someGroup(groups: Iterable<QueuedGroup>, test: (g: QueuedGroup) => boolean): boolean {
  for (const g of groups) if (test(g)) return true;
  return false;
}
