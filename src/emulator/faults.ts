import type { Random } from './random.js';

/** Fault injection settings, changeable at run time with `setFaults`. */
export interface FaultSettings {
  /** Probability of a random 500 or 503 on an API operation (0–1). */
  faultRate: number;
  /** Mean added latency in ms (0 = none). */
  latencyMs: number;
  /** Relative jitter around latencyMs: 0.2 → uniform in ±20 %. */
  latencyJitter: number;
  /** Probability that a request never gets an answer (the client must time out). */
  hangRate: number;
  /** Probability of a 200 whose JSON body is cut in the middle. */
  malformedRate: number;
  /** The next N API requests hang (deterministic, for tests). */
  hangNext: number;
  /** The next N API requests get a malformed JSON body. */
  malformedNext: number;
  /** The next N API requests get a 500 (or 503 when `failStatus` is 503). */
  failNext: number;
  /** Status used by `failNext`. */
  failStatus: 500 | 503;
}

/** Default fault settings: no faults. */
export function defaultFaults(): FaultSettings {
  return {
    faultRate: 0,
    latencyMs: 0,
    latencyJitter: 0.2,
    hangRate: 0,
    malformedRate: 0,
    hangNext: 0,
    malformedNext: 0,
    failNext: 0,
    failStatus: 500,
  };
}

/** What to do with one API request. */
export type FaultDecision = 'none' | 'hang' | 'malformed' | 500 | 503;

/** Draws the fault for one request, consuming the `…Next` counters first. */
export function drawFault(f: FaultSettings, rng: Random): FaultDecision {
  if (f.hangNext > 0) {
    f.hangNext -= 1;
    return 'hang';
  }
  if (f.failNext > 0) {
    f.failNext -= 1;
    return f.failStatus;
  }
  if (f.malformedNext > 0) {
    f.malformedNext -= 1;
    return 'malformed';
  }
  if (f.hangRate > 0 && rng.chance(f.hangRate)) return 'hang';
  if (f.faultRate > 0 && rng.chance(f.faultRate)) return rng.chance(0.5) ? 500 : 503;
  if (f.malformedRate > 0 && rng.chance(f.malformedRate)) return 'malformed';
  return 'none';
}

/** Delay before answering: latencyMs ± jitter, never negative. */
export function drawLatency(f: FaultSettings, rng: Random): number {
  if (f.latencyMs <= 0) return 0;
  const spread = f.latencyMs * f.latencyJitter;
  return Math.max(0, Math.round(f.latencyMs - spread + rng.next() * 2 * spread));
}
