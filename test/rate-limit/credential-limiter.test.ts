import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { CredentialsRejectedError, RateLimitedError, TokenRejectedError, UpstreamTimeoutError } from '../../src/errors/gateway-errors.js';
import { type CredentialLimits, createCredentialLimiter } from '../../src/rate-limit/credential-limiter.js';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';
import type { RateLimitStore } from '../../src/rate-limit/store.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

function limiter(limits: Partial<CredentialLimits> = {}, store: RateLimitStore = createMemoryStore()) {
  return createCredentialLimiter(
    {
      account: [{ limit: 3, windowMs: MINUTE }],
      address: [{ limit: 100, windowMs: MINUTE }],
      minFailedAnswerMs: 0,
      deadlineMs: 10_000,
      ...limits,
    },
    store,
  );
}

const refused = () => Promise.reject(new CredentialsRejectedError('graphql login: refused'));
const accepted = () => Promise.resolve('token');
const who = (email: string, address = '203.0.113.1') => ({ address, storeHash: 'sandbox', email });

/** Runs an attempt and answers what came of it: the value, or the error's class name. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return await promise;
  } catch (error) {
    return (error as Error).name;
  }
}

describe('credential limiter', () => {
  it('lets `limit` refused attempts through, then refuses without calling the upstream', async () => {
    const guard = limiter();
    const upstream = vi.fn(refused);

    const outcomes = [];
    for (let i = 0; i < 5; i += 1) outcomes.push(await outcome(guard.attempt(who('buyer@example.com'), upstream)));

    expect(outcomes).toEqual([
      'CredentialsRejectedError',
      'CredentialsRejectedError',
      'CredentialsRejectedError',
      'RateLimitedError',
      'RateLimitedError',
    ]);
    expect(upstream).toHaveBeenCalledTimes(3);
  });

  it('says when to retry: the seconds left in the longest spent window, rounded up', async () => {
    const guard = limiter({ account: [{ limit: 1, windowMs: MINUTE }, { limit: 1, windowMs: HOUR }] });
    await outcome(guard.attempt(who('buyer@example.com'), refused));

    const error = await guard.attempt(who('buyer@example.com'), accepted).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(3600);
    expect((error as RateLimitedError).message).toBe('credential attempts over budget: account 1 per 1 min, account 1 per 1 h');
  });

  it('counts nothing for a success, so signing in often never locks a buyer out', async () => {
    const guard = limiter();
    for (let i = 0; i < 10; i += 1) expect(await guard.attempt(who('buyer@example.com'), accepted)).toBe('token');
    for (let i = 0; i < 3; i += 1) await outcome(guard.attempt(who('buyer@example.com'), refused));

    expect(await outcome(guard.attempt(who('buyer@example.com'), accepted))).toBe('RateLimitedError');
  });

  it('counts nothing when the upstream never judged the credentials (timeout, outage, 429)', async () => {
    const guard = limiter();
    const timeout = () => Promise.reject(new UpstreamTimeoutError('graphql login', 10));
    for (let i = 0; i < 5; i += 1) expect(await outcome(guard.attempt(who('buyer@example.com'), timeout))).toBe('UpstreamTimeoutError');

    expect(await guard.attempt(who('buyer@example.com'), accepted)).toBe('token');
  });

  it('counts an unexpected error as a refusal: it might have been an answer about the password', async () => {
    const guard = limiter({ account: [{ limit: 1, windowMs: MINUTE }] });
    await outcome(guard.attempt(who('buyer@example.com'), () => Promise.reject(new Error('boom'))));

    expect(await outcome(guard.attempt(who('buyer@example.com'), accepted))).toBe('RateLimitedError');
  });

  it('does not count refused attempts, so hammering during a short lock-out does not spend the long budget', async () => {
    let now = 0;
    const guard = createCredentialLimiter(
      { account: [{ limit: 1, windowMs: MINUTE }, { limit: 3, windowMs: HOUR }], address: [], minFailedAnswerMs: 0, deadlineMs: 10_000 },
      createMemoryStore({ now: () => now }),
    );
    await outcome(guard.attempt(who('buyer@example.com'), refused));
    for (let i = 0; i < 10; i += 1) expect(await outcome(guard.attempt(who('buyer@example.com'), refused))).toBe('RateLimitedError');

    now += MINUTE;

    expect(await guard.attempt(who('buyer@example.com'), accepted)).toBe('token');
  });

  it('never lets more than `limit` concurrent wrong guesses reach the upstream: the rest wait, then find the budget spent', async () => {
    const guard = limiter();
    const upstream = vi.fn(() => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new CredentialsRejectedError('no')), 20)));

    const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcome(guard.attempt(who('buyer@example.com'), upstream))));

    expect(upstream).toHaveBeenCalledTimes(3);
    expect(outcomes.filter((name) => name === 'RateLimitedError')).toHaveLength(17);
  });

  it('lets every concurrent success through, no more than `limit` at a time: the others wait for a slot', async () => {
    const guard = limiter();
    let running = 0;
    let most = 0;
    const upstream = vi.fn(async () => {
      most = Math.max(most, (running += 1));
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
      return 'token';
    });

    const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcome(guard.attempt(who('buyer@example.com'), upstream))));

    expect(outcomes).toEqual(Array(20).fill('token'));
    expect(most).toBe(3);
  });

  it('wakes a waiter as soon as an attempt of this instance frees its slot, without waiting for the poll', async () => {
    const guard = limiter({ address: [{ limit: 4, windowMs: MINUTE }], account: [{ limit: 2, windowMs: MINUTE }], pollMs: 60_000 });
    const upstream = () => new Promise<string>((resolve) => setTimeout(() => resolve('token'), 5));
    // 40 attempts over 10 accounts from one address: any wake-up lost would hang until the deadline.
    const attempts = Array.from({ length: 40 }, (_, i) => guard.attempt(who(`buyer-${i % 10}@example.com`), upstream));

    const started = performance.now();
    expect(await Promise.all(attempts.map(outcome))).toEqual(Array(40).fill('token'));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('hands a freed slot on when the waiter woken for it is still held up by another of its budgets', async () => {
    const guard = limiter({ account: [{ limit: 1, windowMs: MINUTE }], address: [{ limit: 2, windowMs: MINUTE }], pollMs: 60_000 });
    const after = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve('token'), ms));
    const started = performance.now();
    const slow = guard.attempt(who('slow@example.com'), after(300));
    const quick = guard.attempt(who('quick@example.com'), after(20));
    // Older, so woken first when `quick` frees its address slot, but its account is held by `slow`.
    const behindSlow = guard.attempt(who('slow@example.com'), after(0));
    const behindQuick = guard.attempt(who('other@example.com'), after(0));

    await behindQuick;

    expect(performance.now() - started).toBeLessThan(250);
    expect(await Promise.all([slow, quick, behindSlow])).toEqual(['token', 'token', 'token']);
  });

  it('answers UpstreamTimeoutError when the wait reaches the deadline, and counts nothing for it', async () => {
    const guard = limiter({ account: [{ limit: 1, windowMs: MINUTE }], deadlineMs: 100 });
    const upstream = vi.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve('token'), 300)));
    const first = guard.attempt(who('buyer@example.com'), upstream);

    const started = performance.now();
    const error = await guard.attempt(who('buyer@example.com'), upstream).catch((e: unknown) => e);
    const waited = performance.now() - started;

    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect((error as Error).message).toBe('credential limiter: waiting for attempts in flight: no complete answer within 100 ms');
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(290);
    expect(upstream).toHaveBeenCalledTimes(1);
    expect(await first).toBe('token');
    expect(await outcome(guard.attempt(who('buyer@example.com'), refused))).toBe('CredentialsRejectedError');
    expect(await outcome(guard.attempt(who('buyer@example.com'), accepted))).toBe('RateLimitedError');
  });

  it('takes a slot freed by another instance on its next poll', async () => {
    const store = createMemoryStore();
    const [one, other] = [limiter({ pollMs: 20 }, store), limiter({ pollMs: 20 }, store)];
    const busy = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve('token'), ms));
    const held = Array.from({ length: 3 }, () => one.attempt(who('buyer@example.com'), busy(50)));

    const started = performance.now();
    const result = await other.attempt(who('buyer@example.com'), busy(0));

    expect(result).toBe('token');
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(performance.now() - started).toBeLessThan(500);
    await Promise.all(held);
  });

  it('takes the slot of an attempt that died mid-call once the slot has lived its time', async () => {
    const store = createMemoryStore();
    const dying = limiter({ account: [{ limit: 1, windowMs: MINUTE }], slotTtlMs: 200 }, store);
    const survivor = limiter({ account: [{ limit: 1, windowMs: MINUTE }], pollMs: 20 }, store);
    // Never settles: from the store's side, the instance running it died.
    void dying.attempt(who('buyer@example.com'), () => new Promise<never>(() => undefined));

    const started = performance.now();
    const result = await survivor.attempt(who('buyer@example.com'), accepted);

    expect(result).toBe('token');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('holds a trusted caller to the account budgets, never to the address budget of its own address', async () => {
    const guard = limiter({ account: [{ limit: 3, windowMs: MINUTE }], address: [{ limit: 2, windowMs: MINUTE }] });
    const trusted = (email: string) => ({ ...who(email), trusted: true });

    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => outcome(guard.attempt(trusted(`buyer-${i}@example.com`), refused))));
    const one = [];
    for (let i = 0; i < 4; i += 1) one.push(await outcome(guard.attempt(trusted('buyer@example.com'), refused)));

    expect(many).toEqual(Array(10).fill('CredentialsRejectedError'));
    expect(one).toEqual([...Array(3).fill('CredentialsRejectedError'), 'RateLimitedError']);
    expect(await outcome(guard.attempt(who('someone@example.com'), accepted))).toBe('token');
  });

  it('keeps one budget per account, whatever the case and surrounding spaces of the email', async () => {
    const guard = limiter();
    await outcome(guard.attempt(who('Buyer@Example.com'), refused));
    await outcome(guard.attempt(who(' buyer@example.com '), refused));
    await outcome(guard.attempt(who('BUYER@EXAMPLE.COM'), refused));

    expect(await outcome(guard.attempt(who('buyer@example.com'), accepted))).toBe('RateLimitedError');
    expect(await guard.attempt(who('other@example.com'), accepted)).toBe('token');
  });

  it('counts a session JWT against the account of its email claim, read without verifying it', async () => {
    const guard = limiter();
    for (let i = 0; i < 3; i += 1) await outcome(guard.attempt(who('buyer@example.com'), refused));
    const signed = await new SignJWT({ customer: { id: 201, email: 'Buyer@example.com' } })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('not-the-real-key-0123456789abcdef'));
    const flat = new UnsecuredJWT({ email: 'buyer@example.com' }).encode();
    const jwtUpstream = vi.fn(() => Promise.reject(new TokenRejectedError('no')));

    expect(await outcome(guard.attempt({ address: '203.0.113.1', storeHash: 'sandbox', jwt: signed }, jwtUpstream))).toBe('RateLimitedError');
    expect(await outcome(guard.attempt({ address: '203.0.113.1', storeHash: 'sandbox', jwt: flat }, jwtUpstream))).toBe('RateLimitedError');
    expect(jwtUpstream).not.toHaveBeenCalled();
  });

  it('counts a JWT without an email claim (or not a JWT at all) by address only', async () => {
    const guard = limiter({ address: [{ limit: 2, windowMs: MINUTE }] });
    const rejected = () => Promise.reject(new TokenRejectedError('no'));

    expect(await outcome(guard.attempt({ address: '203.0.113.1', storeHash: 'sandbox', jwt: 'garbage' }, rejected))).toBe('TokenRejectedError');
    expect(await outcome(guard.attempt({ address: '203.0.113.1', storeHash: 'sandbox', jwt: 'a.b.c' }, rejected))).toBe('TokenRejectedError');
    expect(await outcome(guard.attempt({ address: '203.0.113.1', storeHash: 'sandbox', jwt: 'garbage' }, rejected))).toBe('RateLimitedError');
  });

  it('keeps one budget per client address across accounts', async () => {
    const guard = limiter({ address: [{ limit: 2, windowMs: MINUTE }] });
    await outcome(guard.attempt(who('a@example.com'), refused));
    await outcome(guard.attempt(who('b@example.com'), refused));

    expect(await outcome(guard.attempt(who('c@example.com'), accepted))).toBe('RateLimitedError');
    expect(await guard.attempt(who('c@example.com', '203.0.113.2'), accepted)).toBe('token');
  });

  it('keeps accounts of different stores apart', async () => {
    const guard = limiter({ account: [{ limit: 1, windowMs: MINUTE }] });
    await outcome(guard.attempt(who('buyer@example.com'), refused));

    expect(await guard.attempt({ ...who('buyer@example.com'), storeHash: 'other' }, accepted)).toBe('token');
  });

  it('turns a budget with limit 0 off', async () => {
    const guard = limiter({ account: [{ limit: 0, windowMs: MINUTE }], address: [{ limit: 0, windowMs: MINUTE }] });
    for (let i = 0; i < 20; i += 1) expect(await outcome(guard.attempt(who('buyer@example.com'), refused))).toBe('CredentialsRejectedError');
  });

  it('makes refusals and rejected credentials take at least the minimum time, and leaves successes alone', async () => {
    const guard = limiter({ account: [{ limit: 1, windowMs: MINUTE }], minFailedAnswerMs: 100 });
    const timed = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      await outcome(run());
      return performance.now() - started;
    };

    expect(await timed(() => guard.attempt(who('a@example.com'), accepted))).toBeLessThan(50);
    expect(await timed(() => guard.attempt(who('a@example.com'), refused))).toBeGreaterThanOrEqual(95);
    expect(await timed(() => guard.attempt(who('a@example.com'), refused))).toBeGreaterThanOrEqual(95);
    expect(await timed(() => guard.attempt(who('b@example.com'), () => Promise.reject(new TokenRejectedError('no'))))).toBeGreaterThanOrEqual(95);
    expect(await timed(() => guard.attempt(who('c@example.com'), () => Promise.reject(new UpstreamTimeoutError('x', 1))))).toBeLessThan(50);
  });
});
