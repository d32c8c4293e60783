import type { Clock } from '../../src/amazon/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that only moves when told to; timers fire in order as time advances. */
export class ManualClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;
  /** Event-loop stalls to come: the first timer due at or after `at` fires `ms` late. */
  private stalls: { at: number; ms: number }[] = [];
  /**
   * Awaited at each step besides pending promise callbacks: work that needs real I/O before
   * the next timer may fire (a shared limiter's queries to PostgreSQL).
   */
  settle: () => Promise<void> = async () => {};

  constructor(public t = Date.parse('2026-11-27T00:00:00Z')) {}

  now(): number {
    return this.t;
  }

  /** The event loop stands still `ms` from `at`: timers due meanwhile fire after it, in order. */
  stallAt(at: number, ms: number): void {
    this.stalls.push({ at, ms });
    this.stalls.sort((a, b) => a.at - b.at);
  }

  setTimer(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Moves time forward by `ms`, firing due timers and letting promise callbacks run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      await this.settle();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      const stall = this.stalls[0];
      if (stall && due.at >= stall.at) {
        this.stalls.shift();
        this.t = Math.max(this.t, stall.at) + stall.ms;
      }
      this.t = Math.max(this.t, due.at);
      due.fn();
    }
    this.t = end;
    await flush();
    await this.settle();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
