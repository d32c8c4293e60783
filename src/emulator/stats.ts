import type { KeepaKeyStats } from './keepa-tokens.js';

/** Counts of one (credential, operation) pair, or of a whole credential. */
export interface OperationStats {
  requests: number;
  status: { '2xx': number; '4xx': number; '429': number; '5xx': number };
  /** Most requests seen in any sliding 1-second window. */
  maxPerSecond: number;
  /**
   * Latest arrival stamp (epoch ms) among the answered requests, null before any. With
   * `requests`, two snapshots give an exact rate: answered requests between them over the time
   * between their last arrivals.
   */
  lastArrivalMs: number | null;
}

/** Stats of one credential. */
export interface CredentialStats extends OperationStats {
  kind: string;
  operations: Record<string, OperationStats>;
}

/** What `GET /__emulator/stats` returns. */
export interface EmulatorStats {
  since: string;
  total: OperationStats;
  /** Per protocol (`creators`, `paapi`, `keepa`): every credential's requests together. */
  protocols: Record<string, OperationStats>;
  credentials: Record<string, CredentialStats>;
  /** Token figures of each Keepa key used (named `keepa-<hash>`, never by the key). */
  keepa?: Record<string, KeepaKeyStats>;
}

class Counter {
  readonly data: OperationStats = {
    requests: 0,
    status: { '2xx': 0, '4xx': 0, '429': 0, '5xx': 0 },
    maxPerSecond: 0,
    lastArrivalMs: null,
  };
  private readonly window: number[] = [];

  record(status: number, at: number): void {
    this.data.requests += 1;
    const cls = status === 429 ? '429' : status >= 500 ? '5xx' : status >= 400 ? '4xx' : '2xx';
    this.data.status[cls] += 1;
    this.data.lastArrivalMs = Math.max(this.data.lastArrivalMs ?? at, at);
    // Arrival stamps come in answer order (latencies differ): keep the window sorted, then
    // find the busiest 1-second span among the recent arrivals.
    let i = this.window.length;
    while (i > 0 && (this.window[i - 1] as number) > at) i -= 1;
    this.window.splice(i, 0, at);
    const newest = this.window[this.window.length - 1] as number;
    while (this.window.length > 0 && (this.window[0] as number) <= newest - 3000)
      this.window.shift();
    let end = 0;
    for (let start = 0; start < this.window.length; start += 1) {
      while (
        end < this.window.length &&
        (this.window[end] as number) - (this.window[start] as number) < 1000
      )
        end += 1;
      this.data.maxPerSecond = Math.max(this.data.maxPerSecond, end - start);
    }
  }
}

/**
 * Per credential and operation request counters. A request is recorded when it arrives (for the
 * sliding window) and its status class once answered; unauthenticated requests go under `-`.
 */
export class StatsRecorder {
  private since = new Date();
  private total = new Counter();
  private protocols = new Map<string, Counter>();
  private credentials = new Map<
    string,
    { kind: string; all: Counter; ops: Map<string, Counter> }
  >();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records one answered request. */
  record(credential: string, kind: string, operation: string, status: number, at?: number): void {
    const t = at ?? this.now();
    let c = this.credentials.get(credential);
    if (!c) {
      c = { kind, all: new Counter(), ops: new Map() };
      this.credentials.set(credential, c);
    }
    let op = c.ops.get(operation);
    if (!op) {
      op = new Counter();
      c.ops.set(operation, op);
    }
    op.record(status, t);
    c.all.record(status, t);
    let protocol = this.protocols.get(kind);
    if (!protocol) {
      protocol = new Counter();
      this.protocols.set(kind, protocol);
    }
    protocol.record(status, t);
    this.total.record(status, t);
  }

  /** A JSON-ready snapshot. */
  snapshot(): EmulatorStats {
    const credentials: Record<string, CredentialStats> = {};
    for (const [key, c] of this.credentials) {
      const operations: Record<string, OperationStats> = {};
      for (const [name, op] of c.ops) operations[name] = structuredClone(op.data);
      credentials[key] = { kind: c.kind, ...structuredClone(c.all.data), operations };
    }
    return {
      since: this.since.toISOString(),
      total: structuredClone(this.total.data),
      protocols: Object.fromEntries(
        [...this.protocols].map(([kind, counter]) => [kind, structuredClone(counter.data)]),
      ),
      credentials,
    };
  }

  /** Starts counting from zero. */
  reset(): void {
    this.since = new Date();
    this.total = new Counter();
    this.protocols = new Map();
    this.credentials = new Map();
  }
}
