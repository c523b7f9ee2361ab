/** One budget as a store keeps it: its key, its limit, and the length of its refusal window. */
export interface Budget {
  /** Already hashed (see `credential-limiter.ts`); unique per budget. */
  key: string;
  /** Most refusals in one window, attempts in flight included. At least 1. */
  limit: number;
  /** Length of the fixed window a first refusal opens, in milliseconds. */
  windowMs: number;
}

/** A budget whose refusals used it up, by its index in the list given to {@link RateLimitStore.acquire}. */
export interface SpentBudget {
  index: number;
  /** Milliseconds until its refusal window closes and the count starts again from zero. */
  resetInMs: number;
}

/** What {@link RateLimitStore.acquire} answers. */
export type Acquisition =
  /** A slot is held in every budget: release it with {@link RateLimitStore.release}. */
  | { readonly outcome: 'taken' }
  /** No slot taken: these budgets (indexes) are full, but only because of attempts in flight. */
  | { readonly outcome: 'busy'; readonly busy: readonly number[] }
  /** No slot taken: these budgets are used up by refusals alone. */
  | { readonly outcome: 'spent'; readonly spent: readonly SpentBudget[] };

/**
 * Credential budgets. Each budget counts two things against its limit:
 *
 * - refusals, in a fixed window that opens at the first refusal and lasts `windowMs`;
 * - slots of attempts in flight, each named by its attempt id, each expiring `slotTtlMs` after
 *   it was taken, so a slot whose attempt died (a replica killed mid-call) frees itself.
 *
 * Every call is atomic per budget: two gateways (or two requests) never take the same last slot.
 * Keys reach a store already hashed.
 */
export interface RateLimitStore {
  /**
   * Takes one slot, named `attemptId`, in every budget, or in none: a budget whose refusals
   * reached its limit makes the answer `spent`; otherwise a budget whose refusals and slots
   * reached it makes it `busy`. Expired slots are dropped on the way.
   */
  acquire(attemptId: string, budgets: readonly Budget[], slotTtlMs: number): Promise<Acquisition>;
  /**
   * Gives back the slots `attemptId` took in `budgets` (nothing for one already expired), and
   * when `refused`, counts one refusal in each budget, opening a window where none is open.
   */
  release(attemptId: string, budgets: readonly Budget[], refused: boolean): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** The answer of an acquisition that took every slot; one object, shared. */
export const TAKEN: Acquisition = Object.freeze({ outcome: 'taken' });
