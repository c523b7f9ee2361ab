import type { RateLimitStore, WindowCount } from '../../src/rate-limit/store.js';

/** One counter's hit, through a store's list-taking `hit`; throws unless it answers one count. */
export async function hitOne(store: RateLimitStore, key: string, windowMs: number): Promise<WindowCount> {
  const answers = await store.hit([{ key, windowMs }]);
  const [count] = answers;
  if (count === undefined || answers.length !== 1) throw new Error(`the store answered ${answers.length} counts for one counter`);
  return count;
}
