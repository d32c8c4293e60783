/**
 * Where processes sharing a credential agree on who holds which share of its rate (issue 23).
 * The database implementation is `src/db/rate-share-store.ts`.
 *
 * Each process that wants to send for a credential is a member with a heartbeat. The store
 * keeps the member list in force and the list before it, each with the instant it starts: a
 * change always starts `switchDelayMs` after it is written, so every member, which reads the
 * lists at least that often, switches at the same instant. What a member read at store time T
 * therefore holds until T + switchDelayMs whatever is written meanwhile; it grants nothing
 * beyond that without reading again. A member whose heartbeat is older than `expiryMs` is
 * dropped by the next heartbeat of any other member: a dead process's share comes back within
 * expiry + one heartbeat period + switch delay.
 */
export interface RateShareStore {
  /**
   * Records the member's heartbeat (or its leaving, `active: false`), updates the lists when
   * the live members differ from the latest list and no change is pending, adds `used` grants to
   * the day's count, and returns the lists.
   */
  heartbeat(key: string, member: ShareMember, beat: ShareBeat): Promise<ShareState>;
  /** No slot of `key` for `pauseMs` from now, for any member (a 429 came back). */
  pause(key: string, pauseMs: number): Promise<void>;
}

export interface ShareMember {
  id: string;
  host: string;
  pid: number;
}

export interface ShareBeat {
  /** False: the member leaves (nothing waits); its share goes to the others. */
  active: boolean;
  /** Time between two slots of the whole credential, as this member is configured. */
  intervalMs: number;
  /** Grants made since the previous heartbeat (the day's count). */
  used: number;
  expiryMs: number;
  switchDelayMs: number;
}

/** One member list and the slot grid it uses from `sinceMs`. */
export interface ShareList {
  members: readonly string[];
  sinceMs: number;
  intervalMs: number;
}

export interface ShareState {
  /** The store's clock when the heartbeat was written. */
  nowMs: number;
  /** The latest list (in force from its `sinceMs`, maybe still ahead). */
  current: ShareList;
  /** The list in force before `current.sinceMs`. */
  previous: ShareList;
  pausedUntilMs: number;
  usedToday: number;
}

/** The list in force at store time `t`. */
export function listAt(state: Pick<ShareState, 'current' | 'previous'>, t: number): ShareList {
  return t >= state.current.sinceMs ? state.current : state.previous;
}
