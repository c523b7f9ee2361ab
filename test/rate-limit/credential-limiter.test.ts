import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { CredentialsRejectedError, RateLimitedError, TokenRejectedError, UpstreamTimeoutError } from '../../src/errors.js';
import { type CredentialLimits, createCredentialLimiter } from '../../src/rate-limit/credential-limiter.js';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

function limiter(limits: Partial<CredentialLimits> = {}) {
  return createCredentialLimiter(
    {
      account: [{ limit: 3, windowMs: MINUTE }],
      address: [{ limit: 100, windowMs: MINUTE }],
      minFailedAnswerMs: 0,
      ...limits,
    },
    createMemoryStore(),
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

  it('gives the slot back after a success, so signing in often never locks a buyer out', async () => {
    const guard = limiter();
    for (let i = 0; i < 10; i += 1) expect(await guard.attempt(who('buyer@example.com'), accepted)).toBe('token');
    for (let i = 0; i < 3; i += 1) await outcome(guard.attempt(who('buyer@example.com'), refused));

    expect(await outcome(guard.attempt(who('buyer@example.com'), accepted))).toBe('RateLimitedError');
  });

  it('gives the slot back when the upstream never judged the credentials (timeout, outage, 429)', async () => {
    const guard = limiter();
    const timeout = () => Promise.reject(new UpstreamTimeoutError('graphql login', 10));
    for (let i = 0; i < 5; i += 1) expect(await outcome(guard.attempt(who('buyer@example.com'), timeout))).toBe('UpstreamTimeoutError');

    expect(await guard.attempt(who('buyer@example.com'), accepted)).toBe('token');
  });

  it('keeps the slot for an unexpected error: it might have been an answer about the password', async () => {
    const guard = limiter({ account: [{ limit: 1, windowMs: MINUTE }] });
    await outcome(guard.attempt(who('buyer@example.com'), () => Promise.reject(new Error('boom'))));

    expect(await outcome(guard.attempt(who('buyer@example.com'), accepted))).toBe('RateLimitedError');
  });

  it('does not count refused attempts, so hammering during a short lock-out does not spend the long budget', async () => {
    let now = 0;
    const guard = createCredentialLimiter(
      { account: [{ limit: 1, windowMs: MINUTE }, { limit: 3, windowMs: HOUR }], address: [], minFailedAnswerMs: 0 },
      createMemoryStore({ now: () => now }),
    );
    await outcome(guard.attempt(who('buyer@example.com'), refused));
    for (let i = 0; i < 10; i += 1) expect(await outcome(guard.attempt(who('buyer@example.com'), refused))).toBe('RateLimitedError');

    now += MINUTE;

    expect(await guard.attempt(who('buyer@example.com'), accepted)).toBe('token');
  });

  it('never lets more than `limit` concurrent attempts reach the upstream', async () => {
    const guard = limiter();
    const upstream = vi.fn(() => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new CredentialsRejectedError('no')), 20)));

    const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcome(guard.attempt(who('buyer@example.com'), upstream))));

    expect(upstream).toHaveBeenCalledTimes(3);
    expect(outcomes.filter((name) => name === 'RateLimitedError')).toHaveLength(17);
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
