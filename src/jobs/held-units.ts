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
}

/**
 * The units a worker holds: queued (claimed, waiting for a lane) and in flight (a lane's request
 * is out). Leases are renewed for both; a stop hands the queued ones back.
 */
export class HeldUnits {
  private readonly queue: Held[] = [];
  private readonly inFlight = new Map<number, Held>();

  add(held: readonly Held[]): void {
    this.queue.push(...held);
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queued units of a route (of every route when absent). */
  queuedFor(route?: Route): number {
    return route === undefined
      ? this.queue.length
      : this.queue.filter((h) => h.route === route).length;
  }

  /**
   * The next request's worth: the first queued unit (of `route` when given), and after it up to
   * `maxPerCall - 1` more of the same job, marketplace, route and batch key, in claim order. Null
   * when nothing is queued.
   */
  takeBatch(route?: Route): Held[] | null {
    const at = route === undefined ? 0 : this.queue.findIndex((h) => h.route === route);
    if (at < 0) return null;
    const first = this.queue.splice(at, 1)[0];
    if (!first) return null;
    const batch = [first];
    for (let i = at; i < this.queue.length && batch.length < first.maxPerCall;) {
      const h = this.queue[i] as Held;
      if (sameBatch(first, h)) {
        batch.push(h);
        this.queue.splice(i, 1);
      } else i++;
    }
    return batch;
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
    return dropped;
  }
}

function sameBatch(a: Held, b: Held): boolean {
  return (
    a.unit.job_id === b.unit.job_id &&
    a.unit.marketplace === b.unit.marketplace &&
    a.route === b.route &&
    a.batchKey === b.batchKey
  );
}
