import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';
import { budget, storeContract } from './store-contract.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('memory store', () => {
  describe('the store contract', () => {
    storeContract(async () => createMemoryStore());
  });

  it('frees the slot of an attempt that never finished once its time to live has passed', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const k = budget('k', 1);
    await store.acquire('dead', [k], 15_000);

    clock.advance(14_999);
    expect(await store.acquire('waiting', [k], 15_000)).toEqual({ outcome: 'busy', busy: [0] });
    clock.advance(1);
    expect(await store.acquire('waiting', [k], 15_000)).toEqual({ outcome: 'taken' });
  });

  it('counts refusals in a fixed window that opens at the first one, and says when it closes', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const k = budget('k', 2, 60_000);
    await store.release('a', [k], true);
    clock.advance(10_000);
    await store.release('b', [k], true);

    expect(await store.acquire('c', [k], 1000)).toEqual({ outcome: 'spent', spent: [{ index: 0, resetInMs: 50_000 }] });
    clock.advance(50_000);
    expect(await store.acquire('c', [k], 1000)).toEqual({ outcome: 'taken' });
  });

  it('forgets a budget once its slots are given back and it has no refusals', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const budgets = [budget('a', 5), budget('b', 5)];

    await store.acquire('x', budgets, 1000);
    expect(store.size).toBe(2);
    await store.release('x', budgets, false);

    expect(store.size).toBe(0);
  });

  it('sweeps closed windows and expired slots out as it goes, so memory does not grow with old keys', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now, sweepIntervalMs: 5000 });
    for (let i = 0; i < 500; i += 1) await store.release(`refused-${i}`, [budget(`old-${i}`, 5, 1000)], true);
    for (let i = 0; i < 500; i += 1) await store.acquire(`dead-${i}`, [budget(`dead-${i}`, 5)], 1000);
    expect(store.size).toBe(1000);

    clock.advance(5000);
    await store.acquire('new', [budget('new', 5)], 1000);

    expect(store.size).toBe(1);
  });

  it('holds at most maxKeys budgets, dropping the oldest first', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) {
      await store.release(key, [budget(key, 1)], true);
      clock.advance(1);
    }

    await store.release('d', [budget('d', 1)], true);

    expect(store.size).toBe(3);
    expect(await store.acquire('again', [budget('a', 1)], 1000)).toEqual({ outcome: 'taken' });
    expect((await store.acquire('again', [budget('c', 1)], 1000)).outcome).toBe('spent');
  });
});
