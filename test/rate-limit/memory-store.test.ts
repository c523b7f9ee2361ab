import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';
import { hitOne } from '../support/store.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('memory store', () => {
  it('counts hits on a key within its window and says when the window closes', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });

    expect(await hitOne(store, 'k', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    clock.advance(10_000);
    expect(await hitOne(store, 'k', 60_000)).toEqual({ count: 2, resetInMs: 50_000 });
    expect(await hitOne(store, 'other', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });

  it('counts a list of counters in one call, answering in their order, and takes them back as one', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    await hitOne(store, 'b', 60_000);

    expect(await store.hit([{ key: 'a', windowMs: 1000 }, { key: 'b', windowMs: 60_000 }])).toEqual([
      { count: 1, resetInMs: 1000 },
      { count: 2, resetInMs: 60_000 },
    ]);
    await store.undo(['a', 'b']);
    expect(store.size).toBe(1);
    expect(await hitOne(store, 'b', 60_000)).toEqual({ count: 2, resetInMs: 60_000 });
  });

  it('starts again from one when the window has closed', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    await hitOne(store, 'k', 1000);
    await hitOne(store, 'k', 1000);

    clock.advance(1000);

    expect(await hitOne(store, 'k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
  });

  it('takes a hit back inside the window, forgets a key at zero, and ignores closed windows', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    await hitOne(store, 'k', 1000);
    await hitOne(store, 'k', 1000);

    await store.undo(['k']);
    expect(await hitOne(store, 'k', 1000)).toEqual({ count: 2, resetInMs: 1000 });
    await store.undo(['k']);
    await store.undo(['k']);
    expect(store.size).toBe(0);
    await store.undo(['k']);
    expect(store.size).toBe(0);

    await hitOne(store, 'k', 1000);
    clock.advance(1000);
    await store.undo(['k']);
    expect(await hitOne(store, 'k', 1000)).toEqual({ count: 1, resetInMs: 1000 });
  });

  it('sweeps closed windows out as it goes, so memory does not grow with old keys', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now, sweepIntervalMs: 5000 });
    for (let i = 0; i < 1000; i += 1) await hitOne(store, `old-${i}`, 1000);
    expect(store.size).toBe(1000);

    clock.advance(5000);
    await hitOne(store, 'new', 1000);

    expect(store.size).toBe(1);
  });

  it('holds at most maxKeys keys, dropping the oldest windows first', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) {
      await hitOne(store, key, 60_000);
      clock.advance(1);
    }
    await hitOne(store, 'c', 60_000);

    await hitOne(store, 'd', 60_000);

    expect(store.size).toBe(3);
    expect(await hitOne(store, 'a', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    expect((await hitOne(store, 'c', 60_000)).count).toBe(3);
  });
});
