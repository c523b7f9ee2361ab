import { type Acquisition, type Budget, type RateLimitStore, type SpentBudget, TAKEN } from './store.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
  /**
   * Most budgets held at once. Past it the oldest entries are dropped first, so a flood of
   * made-up emails costs bounded memory (about 200 bytes a budget).
   * @default 100_000
   */
  maxKeys?: number;
  /** How often (at most) an acquisition also sweeps out closed windows and expired slots. @default 60_000 */
  sweepIntervalMs?: number;
}

/** One attempt's slot, the same object in each budget it holds. */
interface Slot {
  id: string;
  expiresAt: number;
}

/** One budget's state: its refusal window (closed when `resetAt` has passed) and its slots. */
interface Entry {
  refusals: number;
  resetAt: number;
  slots: Slot[];
}

/** Drops the expired slots in place and answers how many are left. */
function liveSlots(entry: Entry, at: number): number {
  const { slots } = entry;
  let kept = 0;
  for (const slot of slots) if (slot.expiresAt > at) slots[kept++] = slot;
  slots.length = kept;
  return kept;
}

const openRefusals = (entry: Entry, at: number) => (entry.resetAt > at ? entry.refusals : 0);

/**
 * Budgets in this process's memory: the default store, exact for one gateway instance.
 * No timer: closed windows and expired slots are swept on the way, at most once per
 * `sweepIntervalMs`.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore & { readonly size: number } {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  // A Map iterates in insertion order, and an entry is (re)inserted when it is created and when
  // its refusal window opens: the first entries are the oldest, which is what the size cap evicts.
  const entries = new Map<string, Entry>();
  let nextSweepAt = now() + sweepIntervalMs;

  const idle = (entry: Entry, at: number) => openRefusals(entry, at) === 0 && liveSlots(entry, at) === 0;

  const sweep = (at: number) => {
    for (const [key, entry] of entries) if (idle(entry, at)) entries.delete(key);
    nextSweepAt = at + sweepIntervalMs;
  };

  const insert = (key: string, entry: Entry, at: number) => {
    entries.delete(key);
    if (entries.size >= maxKeys) sweep(at);
    for (const oldest of entries.keys()) {
      if (entries.size < maxKeys) break;
      entries.delete(oldest);
    }
    entries.set(key, entry);
  };

  return {
    get size() {
      return entries.size;
    },
    async acquire(attemptId, budgets, slotTtlMs): Promise<Acquisition> {
      const at = now();
      if (at >= nextSweepAt) sweep(at);
      let spent: SpentBudget[] | undefined;
      let busy: number[] | undefined;
      for (let index = 0; index < budgets.length; index += 1) {
        const { key, limit } = budgets[index] as Budget;
        const entry = entries.get(key);
        if (entry === undefined) continue;
        const refusals = openRefusals(entry, at);
        if (refusals >= limit) (spent ??= []).push({ index, resetInMs: entry.resetAt - at });
        else if (refusals + liveSlots(entry, at) >= limit) (busy ??= []).push(index);
      }
      if (spent !== undefined) return { outcome: 'spent', spent };
      if (busy !== undefined) return { outcome: 'busy', busy };

      const slot = { id: attemptId, expiresAt: at + slotTtlMs };
      for (const { key } of budgets) {
        const entry = entries.get(key);
        if (entry === undefined) insert(key, { refusals: 0, resetAt: at, slots: [slot] }, at);
        else entry.slots.push(slot);
      }
      return TAKEN;
    },
    async release(attemptId, budgets, refused) {
      const at = now();
      for (const { key, windowMs } of budgets) {
        const entry = entries.get(key);
        if (entry !== undefined) {
          const index = entry.slots.findIndex((slot) => slot.id === attemptId);
          if (index !== -1) entry.slots.splice(index, 1);
        }
        if (refused) {
          if (entry !== undefined && entry.resetAt > at) entry.refusals += 1;
          else insert(key, { refusals: 1, resetAt: at + windowMs, slots: entry?.slots ?? [] }, at);
        } else if (entry !== undefined && idle(entry, at)) {
          entries.delete(key);
        }
      }
    },
    async close() {
      entries.clear();
    },
  };
}
