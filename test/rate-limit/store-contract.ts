import { afterEach, expect, it } from 'vitest';
import type { Budget, RateLimitStore } from '../../src/rate-limit/store.js';

/** A budget of `limit` with a one-minute refusal window. */
export const budget = (key: string, limit: number, windowMs = 60_000): Budget => ({ key, limit, windowMs });

const MINUTE_TTL = 60_000;

/**
 * What every rate-limit store promises (`RateLimitStore`), run against one implementation.
 * `open` is called once per test; the store is closed after it.
 */
export function storeContract(open: () => Promise<RateLimitStore>): void {
  let opened: RateLimitStore[] = [];
  const store = async () => {
    const made = await open();
    opened.push(made);
    return made;
  };
  afterEach(async () => {
    await Promise.all(opened.map((made) => made.close()));
    opened = [];
  });

  it('takes a slot per attempt until attempts in flight fill the budget; the next one finds it busy', async () => {
    const s = await store();
    const k = budget('k', 2);

    expect([
      await s.acquire('a', [k], MINUTE_TTL),
      await s.acquire('b', [k], MINUTE_TTL),
      await s.acquire('c', [k], MINUTE_TTL),
    ]).toEqual([{ outcome: 'taken' }, { outcome: 'taken' }, { outcome: 'busy', busy: [0] }]);
  });

  it('frees a slot on release without counting anything, so buyers who succeed never fill a budget', async () => {
    const s = await store();
    const k = budget('k', 1);
    for (let i = 0; i < 10; i += 1) {
      expect(await s.acquire(`a${i}`, [k], MINUTE_TTL)).toEqual({ outcome: 'taken' });
      await s.release(`a${i}`, [k], false);
    }

    expect(await s.acquire('last', [k], MINUTE_TTL)).toEqual({ outcome: 'taken' });
  });

  it('counts refusals and slots against one limit; refusals alone spend the budget', async () => {
    const s = await store();
    const k = budget('k', 3);
    await s.acquire('a', [k], MINUTE_TTL);
    await s.release('a', [k], true);
    await s.acquire('b', [k], MINUTE_TTL);
    await s.acquire('c', [k], MINUTE_TTL);

    expect(await s.acquire('d', [k], MINUTE_TTL)).toEqual({ outcome: 'busy', busy: [0] });
    await s.release('b', [k], true);
    await s.release('c', [k], true);
    const spent = await s.acquire('e', [k], MINUTE_TTL);

    expect(spent).toEqual({ outcome: 'spent', spent: [{ index: 0, resetInMs: expect.any(Number) }] });
    const resetInMs = spent.outcome === 'spent' ? (spent.spent[0]?.resetInMs ?? 0) : 0;
    expect(resetInMs > 59_000 && resetInMs <= 60_000).toBe(true);
  });

  it('takes a slot in every budget or in none: a full budget leaves the others untouched', async () => {
    const s = await store();
    const [narrow, wide] = [budget('narrow', 1), budget('wide', 2)];
    await s.acquire('a', [narrow], MINUTE_TTL);

    expect(await s.acquire('b', [wide, narrow], MINUTE_TTL)).toEqual({ outcome: 'busy', busy: [1] });
    expect(await s.acquire('c', [wide], MINUTE_TTL)).toEqual({ outcome: 'taken' });
    expect(await s.acquire('d', [wide], MINUTE_TTL)).toEqual({ outcome: 'taken' });
  });

  it('answers spent, not busy, when one budget is spent and another busy, naming each spent one', async () => {
    const s = await store();
    const [busy, spent] = [budget('busy', 1), budget('spent', 1)];
    await s.acquire('a', [busy, spent], MINUTE_TTL);
    await s.release('a', [spent], true);

    expect(await s.acquire('b', [busy, spent], MINUTE_TTL)).toEqual({ outcome: 'spent', spent: [{ index: 1, resetInMs: expect.any(Number) }] });
  });

  it('counts a refusal even when the slot is gone, and ignores a release of an attempt it never saw', async () => {
    const s = await store();
    const k = budget('k', 2);
    await s.release('never-taken', [k], false);
    await s.release('never-taken', [k], true);
    await s.acquire('a', [k], MINUTE_TTL);
    await s.release('a', [k], false);
    await s.release('a', [k], false);

    expect(await s.acquire('b', [k], MINUTE_TTL)).toEqual({ outcome: 'taken' });
    expect(await s.acquire('c', [k], MINUTE_TTL)).toEqual({ outcome: 'busy', busy: [0] });
  });
}
