import type { RateLimitStore, WindowCount } from './store.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
  /**
   * Most keys held at once. Past it the oldest windows are dropped first, so a flood of
   * made-up emails costs bounded memory (about 150 bytes a key).
   * @default 100_000
   */
  maxKeys?: number;
  /** How often (at most) a hit also sweeps out closed windows. @default 60_000 */
  sweepIntervalMs?: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counters in this process's memory: the default store, exact for one gateway instance.
 * No timer: closed windows are swept on the way, by a hit, at most once per `sweepIntervalMs`.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore & { readonly size: number } {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  // A Map iterates in insertion order, and a key is (re)inserted when its window opens: the
  // first entries are the oldest windows, which is what the size cap evicts.
  const windows = new Map<string, Window>();
  let nextSweepAt = now() + sweepIntervalMs;

  const sweep = (at: number) => {
    for (const [key, window] of windows) if (window.resetAt <= at) windows.delete(key);
    nextSweepAt = at + sweepIntervalMs;
  };

  const hitOne = (key: string, windowMs: number): WindowCount => {
    const at = now();
    if (at >= nextSweepAt) sweep(at);
    let window = windows.get(key);
    if (window === undefined || window.resetAt <= at) {
      windows.delete(key);
      if (windows.size >= maxKeys) sweep(at);
      for (const oldest of windows.keys()) {
        if (windows.size < maxKeys) break;
        windows.delete(oldest);
      }
      window = { count: 0, resetAt: at + windowMs };
      windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.resetAt - at };
  };

  const undoOne = (key: string) => {
    const window = windows.get(key);
    if (window === undefined || window.resetAt <= now()) return;
    window.count -= 1;
    if (window.count <= 0) windows.delete(key);
  };

  return {
    get size() {
      return windows.size;
    },
    async hit(counters) {
      return counters.map(({ key, windowMs }) => hitOne(key, windowMs));
    },
    async undo(keys) {
      for (const key of keys) undoOne(key);
    },
    async close() {
      windows.clear();
    },
  };
}
