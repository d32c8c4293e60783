/**
 * Where a shared limiter keeps the pace of each credential, so that several processes (workers,
 * `serve`, `map`) spend one quota together. The database implementation is
 * `src/db/rate-limit-store.ts`; this module only needs the interface.
 *
 * Two schedules per credential, both GCRA: the reservations (who goes next: each process holds at
 * most one slot ahead, so processes take turns) and the grants actually made (when requests
 * really left). A slot is a promise of a turn; the grant at its time is checked against the
 * previous grant of any process, so a process whose timer fired late never squeezes the next one.
 *
 * Times cross the interface as durations from the store's "now", never as instants: the store
 * keeps time on its own clock (the database server's, one clock for every machine) while each
 * process waits on its own.
 */
export interface RateLimitStore {
  /**
   * Reserves the credential's next slot: max(now, tat − (burst − 1) · interval, pausedUntil),
   * then tat = max(tat, slot) + interval; counts it against the UTC day. A slot that is now is
   * granted at once (`grantedNow`); a later one is granted by `grant` when it comes.
   */
  reserve(key: string, pace: Pace): Promise<SlotReservation>;
  /**
   * A reserved slot has come: records its grant, no earlier than the grants before it allow
   * (`waitMs`, usually 0: how long to wait before sending), and reserves the next slot when
   * `reserveNext` (the process has more waiting), in the same round trip.
   */
  grant(key: string, pace: Pace & { reserveNext: boolean }): Promise<SlotGrant>;
  /** No slot of `key` before `pauseMs` from now, nor a burst right after it (a 429 came back). */
  pause(key: string, pause: { pauseMs: number; intervalMs: number }): Promise<void>;
}

/** How the calling process paces the credential now (its rate may be lower after 429s). */
export interface Pace {
  /** Time between two slots at the caller's current rate, margins included. */
  intervalMs: number;
  /**
   * The margin part of the interval: a grant whose timer fired late may catch up by this much,
   * as in the in-process limiter (two grants are never closer than interval − margin = 1/tps).
   */
  marginMs: number;
  /**
   * The least time from the previous grant (any process's) to this one's, before the burst:
   * 1/tps plus the jitter margin this process learnt (its 429s say the previous request, maybe
   * another process's, reached the server later than granted).
   */
  minGapMs: number;
  /** Slots that may be granted at once after an idle period. */
  burst: number;
  /** Requests per UTC day; a reservation is refused once the day's count reaches it. */
  tpd: number;
  /**
   * Non-zero when the caller had nobody waiting: if the credential is idle too, the next slots
   * are counted from this much after this one (the first request of a burst arrives late).
   */
  startMarginMs: number;
}

export type SlotReservation =
  | {
      granted: true;
      /** The slot is now and its grant is recorded: send at once, no `grant` call. */
      grantedNow: boolean;
      /** From now until the slot (0 when granted now). */
      delayMs: number;
      /** Slots reserved today (UTC), this one included, by every process. */
      usedToday: number;
      /** From now until the end of the shared pause, 0 when there is none. */
      pausedForMs: number;
    }
  | {
      granted: false;
      usedToday: number;
      /** From now until midnight UTC, when the daily count starts again. */
      retryAfterMs: number;
    };

export interface SlotGrant {
  /** From now until the request may leave (the previous grant was late, or a pause began). */
  waitMs: number;
  /** The next slot, when `reserveNext` was asked. */
  next: SlotReservation | null;
}
