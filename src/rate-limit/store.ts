/** One key's counter in its current window, as {@link RateLimitStore.hit} leaves it. */
export interface WindowCount {
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window closes and the counter starts again from zero. */
  resetInMs: number;
}

/**
 * Fixed-window counters. A window opens at a key's first hit and lasts `windowMs`; every call
 * is atomic, so two gateways (or two requests) hitting one key at once never read the same count.
 * Keys reach a store already hashed (see `credential-limiter.ts`).
 */
export interface RateLimitStore {
  /** Counts one hit on `key` and answers the count with it. Opens a window when none is open. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /**
   * Takes one hit back (an attempt that did not use up budget). Does nothing when the window
   * has closed meanwhile; never goes below zero.
   */
  undo(key: string): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
