interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** The callers waiting for a limiter's slots, first come first served; an abort leaves it. */
export class WaiterQueue {
  private readonly waiters: Waiter[] = [];

  get length(): number {
    return this.waiters.length;
  }

  /**
   * A promise resolved when this waiter is granted. When `signal` aborts first, the waiter leaves
   * the queue, the promise rejects with the signal's reason and `onLeave` runs.
   */
  add(signal: AbortSignal | undefined, onLeave: () => void): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason);
          onLeave();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
    });
  }

  /** Resolves the first waiter; false when nobody waits. */
  grantFirst(): boolean {
    const w = this.waiters.shift();
    if (!w) return false;
    if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    w.resolve();
    return true;
  }

  /**
   * Removes the first waiter to grant it later: returns the function that grants it, or null
   * when nobody waits. If its signal aborts meanwhile, it is rejected and `onAbort` runs.
   */
  takeFirst(onAbort: () => void): (() => void) | null {
    const w = this.waiters.shift();
    if (!w) return null;
    const { signal } = w;
    if (signal && w.onAbort) signal.removeEventListener('abort', w.onAbort);
    const abort = (): void => {
      w.reject(signal?.reason);
      onAbort();
    };
    signal?.addEventListener('abort', abort, { once: true });
    return () => {
      signal?.removeEventListener('abort', abort);
      w.resolve();
    };
  }

  rejectAll(error: unknown): void {
    for (const w of this.waiters.splice(0)) {
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.reject(error);
    }
  }
}
