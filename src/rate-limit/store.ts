/** One key's counter in its current window, as {@link RateLimitStore.hit} leaves it. */
export interface WindowCount {
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window closes and the counter starts again from zero. */
  resetInMs: number;
}

/** One counter to hit: its key, and the length of the window a first hit opens. */
export interface CounterHit {
  key: string;
  windowMs: number;
}

/**
 * Fixed-window counters. A window opens at a key's first hit and lasts `windowMs`; every call
 * is atomic, so two gateways (or two requests) hitting one key at once never read the same count.
 * Keys reach a store already hashed (see `credential-limiter.ts`).
 */
export interface RateLimitStore {
  /**
   * Counts one hit on each counter and answers their counts, in the same order. Opens a window
   * where none is open. One call per attempt, however many windows it counts in.
   */
  hit(counters: readonly CounterHit[]): Promise<WindowCount[]>;
  /**
   * Takes one hit back on each key (an attempt that did not use up budget). Does nothing for a
   * key whose window has closed meanwhile; never goes below zero.
   */
  undo(keys: readonly string[]): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
