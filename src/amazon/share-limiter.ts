import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AdaptiveRate, dailyQuotaError } from './adaptive-rate.js';
import { systemClock, type Clock } from './clock.js';
import { AmazonError } from './errors.js';
import type { RateLimiter, RateLimiterOptions, RateLimiterState } from './rate-limiter.js';
import {
  listAt,
  type RateShareStore,
  type ShareList,
  type ShareMember,
  type ShareState,
} from './rate-share-store.js';
import { WaiterQueue } from './waiter-queue.js';

export interface ShareLimiterOptions extends RateLimiterOptions {
  store: RateShareStore;
  /** The credential's row: the same for every process using that credential. */
  key: string;
  member?: ShareMember;
  /**
   * A dead member's share is back with the others within this (default 10 s): heartbeats every
   * lease/10, changes start lease/4 after they are written, a member silent for the rest is
   * dropped.
   */
  leaseMs?: number;
}

const DAY_MS = 86_400_000;
const MEMBERS = new Map<string, number>();

/**
 * A limiter for processes sharing one credential (issue 23): the credential's slots form one
 * grid on the database's clock (slot k at since + (k + 1) · interval), and the member of rank r
 * among n live members owns the slots k ≡ r (mod n). A member grants its own slots on its own
 * timer: no database round trip per request and nothing to wait for from the other processes,
 * so the rate holds whatever the number of processes; a late timer wastes only its own slot.
 *
 * Membership is a heartbeat (`RateShareStore`): what a member read at store time T holds until
 * T + switch delay, and it grants nothing beyond that without reading again; so two members
 * never own one slot, and a store that stops answering stops the grants (waiters are refused
 * with a retryable error, never sent unpaced). A member with nobody waiting leaves, and its
 * share goes to the others. Needs burst ≥ 2: the server's tolerance of (burst − 1) intervals
 * absorbs one member's timer firing a little late next to another's on time; with burst 1 the
 * grants must be serialised through one schedule (`shared-rate-limiter.ts`).
 */
export function createShareLimiter(options: ShareLimiterOptions): RateLimiter {
  return new ShareLimiter(options);
}

class ShareLimiter implements RateLimiter {
  private readonly clock: Clock;
  private readonly store: RateShareStore;
  private readonly key: string;
  private readonly member: ShareMember;
  private readonly tpd: number;
  private readonly rate: AdaptiveRate;
  private readonly queue = new WaiterQueue();
  private readonly beatMs: number;
  private readonly switchMs: number;
  private readonly expiryMs: number;
  private known: ShareState | null = null;
  /** Store clock − local clock, from the quickest heartbeat lately, and half its round trip. */
  private offset = 0;
  private uncertainty = Infinity;
  private samples: { offset: number; half: number }[] = [];
  private slotTimer: unknown = null;
  private beatTimer: unknown = null;
  private beating = false;
  private lastOwnSlot = -Infinity;
  private usedSinceBeat = 0;
  private pausedUntilLocal = -Infinity;
  private lastDemand = -Infinity;

  constructor(o: ShareLimiterOptions) {
    this.clock = o.clock ?? systemClock;
    this.store = o.store;
    this.key = o.key;
    this.member = o.member ?? defaultMember();
    this.tpd = Math.max(1, Math.floor(o.tpd ?? 8640));
    this.rate = new AdaptiveRate(o);
    const lease = o.leaseMs ?? 10_000;
    this.beatMs = lease / 10;
    this.switchMs = lease / 4;
    this.expiryMs = lease - this.switchMs - this.beatMs;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    const granted = this.queue.add(signal, () => this.onLeave());
    if (!signal?.aborted) {
      this.lastDemand = this.clock.now();
      if (!this.beating && this.beatTimer === null) this.beat();
      else this.plan();
    }
    return granted;
  }

  onThrottle(retryAfterMs?: number | null): void {
    const now = this.clock.now();
    const pauseMs = retryAfterMs ?? this.rate.interval();
    this.pausedUntilLocal = Math.max(this.pausedUntilLocal, now + pauseMs);
    this.rate.onThrottle(now);
    this.store.pause(this.key, pauseMs).catch(() => undefined);
  }

  onSuccess(): void {
    this.rate.onSuccess();
  }

  state(): RateLimiterState {
    const now = this.clock.now();
    const k = this.known;
    const sameDay = k && Math.floor(k.nowMs / DAY_MS) === Math.floor((now + this.offset) / DAY_MS);
    const paused = Math.max(this.pausedUntilLocal, (k?.pausedUntilMs ?? 0) - this.offset);
    return {
      configuredTps: this.rate.configuredTps,
      tps: this.rate.tps,
      burst: this.rate.burst,
      tpd: this.tpd,
      usedToday: sameDay ? k.usedToday + this.usedSinceBeat : this.usedSinceBeat,
      queued: this.queue.length,
      pausedUntil: paused > now ? paused : null,
      throttles: this.rate.throttles,
      sharers: this.sharers(),
    };
  }

  /** Members of the list in force, this one counted even while it is not listed yet. */
  private sharers(): number {
    const k = this.known;
    if (!k) return 1;
    const list = listAt(k, this.storeNow());
    return list.members.length + (list.members.includes(this.member.id) ? 0 : 1);
  }

  /** One heartbeat; the next one is planned while somebody waited lately. */
  private beat(): void {
    if (this.beatTimer !== null) this.clock.clearTimer(this.beatTimer);
    this.beatTimer = null;
    const active = this.queue.length > 0 || this.clock.now() - this.lastDemand < this.switchMs;
    const used = this.usedSinceBeat;
    this.usedSinceBeat = 0;
    this.beating = true;
    const sent = this.clock.now();
    void this.store
      .heartbeat(this.key, this.member, {
        active,
        // The credential's grid: a member slowed by a 429 that writes the next list must not
        // halve every member's rate until the list changes again (issue 23).
        intervalMs: this.rate.configuredInterval(),
        used,
        expiryMs: this.expiryMs,
        switchDelayMs: this.switchMs,
      })
      .then(
        (state) => this.onBeat(state, sent),
        (error: unknown) => this.onBeatFailed(error, used),
      )
      .finally(() => {
        this.beating = false;
        // A member that left keeps beating while the lists still name it: a change pending
        // when it left delays its leaving, and the lists must not keep a share nobody uses.
        if (active || this.queue.length > 0 || this.listed())
          this.beatTimer = this.timer(() => this.beat(), this.beatMs, false);
      });
  }

  private onBeat(state: ShareState, sent: number): void {
    const received = this.clock.now();
    const half = (received - sent) / 2;
    this.samples.push({ offset: state.nowMs - (sent + half), half });
    if (this.samples.length > 20) this.samples.shift();
    const best = this.samples.reduce((a, b) => (b.half < a.half ? b : a));
    // The quickest round trip says the clocks' difference best; it ages out after 20 beats.
    this.offset = best.offset;
    this.uncertainty = best.half;
    this.known = state;
    if (state.usedToday >= this.tpd) {
      const retry = (Math.floor(state.nowMs / DAY_MS) + 1) * DAY_MS - state.nowMs;
      this.queue.rejectAll(dailyQuotaError(this.tpd, retry));
    }
    this.plan();
  }

  private onBeatFailed(error: unknown, used: number): void {
    this.usedSinceBeat += used;
    // Grants go on while what was read holds; past it, nothing may be sent.
    if (!this.known || this.storeNow() + this.uncertainty >= this.validUntil())
      this.queue.rejectAll(storeUnavailable(error));
  }

  /** The latest lists read name this member (in force or pending). */
  private listed(): boolean {
    const k = this.known;
    if (!k) return false;
    const id = this.member.id;
    return (
      k.current.members.includes(id) ||
      (k.current.sinceMs > k.nowMs && k.previous.members.includes(id))
    );
  }

  private storeNow(): number {
    return this.clock.now() + this.offset;
  }

  /** What the last heartbeat said holds until then (store clock). */
  private validUntil(): number {
    return this.known ? this.known.nowMs + this.switchMs : -Infinity;
  }

  /** Sets the timer of this member's next slot when someone waits. */
  private plan(): void {
    if (this.slotTimer !== null || this.queue.length === 0 || !this.known) return;
    const slot = this.nextOwnSlot(this.storeNow());
    if (slot === null) return; // the next heartbeat plans again
    this.slotTimer = this.timer(
      () => {
        this.slotTimer = null;
        this.onSlot(slot);
      },
      slot - this.storeNow(),
      true,
    );
  }

  private onSlot(slot: number): void {
    const now = this.storeNow();
    const late = now - slot;
    // Far too late (a stalled event loop) the request would crowd the next members' slots.
    // The server's burst, not this member's pace after a 429 (burst 1 until it recovers): with
    // that, a timer 2 ms late skipped every slot, nothing went out and the rate never climbed
    // back (issue 23: 4 workers sat at half the quota after a few 429s).
    const tolerance = Math.max(
      this.rate.margin(),
      ((this.rate.configuredBurst - 1) * (1000 / this.rate.configuredTps)) / 2,
    );
    if (
      late <= tolerance &&
      now + this.uncertainty < this.validUntil() &&
      this.queue.grantFirst()
    ) {
      this.lastOwnSlot = slot;
      this.usedSinceBeat += 1;
    }
    this.plan();
  }

  /** This member's first slot at or after `t`, within what the last heartbeat guarantees. */
  private nextOwnSlot(t: number): number | null {
    const k = this.known as ShareState;
    const paused = Math.max(k.pausedUntilMs, this.pausedUntilLocal + this.offset);
    let from = Math.max(t, paused);
    const list = listAt(k, from);
    let slot = this.ownSlot(list, from);
    if (list === k.previous && (slot === null || slot >= k.current.sinceMs)) {
      from = Math.max(from, k.current.sinceMs);
      slot = this.ownSlot(k.current, from);
    }
    if (slot === null || slot + this.uncertainty >= this.validUntil()) return null;
    return slot;
  }

  /** The first slot of `list` at or after `from` that is this member's and far enough from its previous one. */
  private ownSlot(list: ShareList, from: number): number | null {
    const rank = list.members.indexOf(this.member.id);
    if (rank < 0) return null;
    const n = list.members.length;
    const interval = Math.max(list.intervalMs, this.rate.interval());
    // After a 429 this member's rate is lower: it skips some of its slots.
    const gap = n * interval - 0.5;
    const start = Math.max(from, this.lastOwnSlot + gap);
    const first = list.sinceMs + list.intervalMs;
    let k = Math.max(0, Math.ceil((start - first) / list.intervalMs - 1e-9));
    k += (((rank - k) % n) + n) % n;
    return first + k * list.intervalMs;
  }

  /** Waiters gone: the slot timer goes (a process stops with nothing pending). */
  private onLeave(): void {
    if (this.queue.length > 0 || this.slotTimer === null) return;
    this.clock.clearTimer(this.slotTimer);
    this.slotTimer = null;
  }

  /**
   * A slot timer keeps the process alive (someone waits for it); a heartbeat timer does not, so
   * a process that stops is not held up by its membership (it expires).
   */
  private timer(fn: () => void, ms: number, keepAlive: boolean): unknown {
    const handle = this.clock.setTimer(fn, Math.max(0, ms));
    if (!keepAlive) (handle as { unref?: () => void } | null)?.unref?.();
    return handle;
  }
}

/** One id per limiter: two limiters of one process are two members. */
function defaultMember(): ShareMember {
  const n = (MEMBERS.get('n') ?? 0) + 1;
  MEMBERS.set('n', n);
  return {
    id: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}:${n}`,
    host: hostname(),
    pid: process.pid,
  };
}

/** The store failed: refuse rather than send unpaced; the caller retries later. */
function storeUnavailable(cause: unknown): AmazonError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new AmazonError(
    'network',
    `The shared rate limiter (table rate_limit_shares in DATABASE_URL) is unavailable: ${detail}. No request was sent; it is retried once the database answers.`,
    { retryable: true, retryAfterMs: 1000, reason: 'RateLimitStoreUnavailable', cause },
  );
}
