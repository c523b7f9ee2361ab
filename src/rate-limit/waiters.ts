/** One attempt waiting for a slot in budgets full of attempts in flight. */
export class Waiter {
  /** When the attempt started (`performance.now()`): the oldest waiter is woken first. */
  readonly startedAt: number;
  /** The queues it is in. */
  keys: readonly string[] = [];
  /** The key whose freed slot woke it, until it leaves its queues. */
  wokenBy: string | undefined;
  #wake: (() => void) | undefined;

  constructor(startedAt: number) {
    this.startedAt = startedAt;
  }

  /** Resolves when woken (at once if it already was), or after `ms`. */
  sleep(ms: number): Promise<void> {
    if (this.wokenBy !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  /** Marks it woken by `key` and ends its sleep. */
  wake(key: string): void {
    this.wokenBy = key;
    this.#wake?.();
  }
}

/**
 * The waiters of this process, queued by budget key, oldest first. A finished attempt wakes one
 * waiter per budget it held a slot in (one slot freed, one waiter to take it), not every waiter:
 * a hundred attempts behind one address would otherwise all ask the store again at each release.
 */
export class SlotWaiters {
  readonly #queues = new Map<string, Waiter[]>();

  /** Queues `waiter` on `keys`, clearing what woke it before. */
  join(waiter: Waiter, keys: readonly string[]): void {
    waiter.keys = keys;
    waiter.wokenBy = undefined;
    for (const key of keys) {
      let queue = this.#queues.get(key);
      if (queue === undefined) this.#queues.set(key, (queue = []));
      let at = queue.length;
      while (at > 0 && (queue[at - 1] as Waiter).startedAt > waiter.startedAt) at -= 1;
      queue.splice(at, 0, waiter);
    }
  }

  /** Takes `waiter` off its queues; answers the key that woke it, if one did. */
  leave(waiter: Waiter): string | undefined {
    for (const key of waiter.keys) {
      const queue = this.#queues.get(key);
      if (queue === undefined) continue;
      const index = queue.indexOf(waiter);
      if (index !== -1) queue.splice(index, 1);
      if (queue.length === 0) this.#queues.delete(key);
    }
    waiter.keys = [];
    const woken = waiter.wokenBy;
    waiter.wokenBy = undefined;
    return woken;
  }

  /** A slot in each budget was freed: wakes the oldest waiter queued on each key. */
  wake(budgets: readonly { key: string }[]): void {
    if (this.#queues.size === 0) return;
    for (const { key } of budgets) {
      const next = this.#queues.get(key)?.[0];
      if (next === undefined) continue;
      // Off every queue at once, so that a second key of the same release wakes someone else.
      this.leave(next);
      next.wake(key);
    }
  }
}
