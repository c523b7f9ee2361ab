import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { AUTHORIZATION, CREDENTIAL_LIMITS_OFF, firstError, type GraphQLReply, type Harness, ISSUE, LOGIN, startHarness, TRUSTED_KEY } from '../harness.js';

const { buyer, junior } = SANDBOX_USERS;
const WRONG = 'wrong-Passw0rd!';

/** Every limit off and no answer floor; each block turns on what it shows. */
const LIMITS_OFF = CREDENTIAL_LIMITS_OFF;

const RATE_LIMITED_MESSAGE = 'Too many sign-in attempts; try again later.';

/** The limits as shipped: 5 and 20 refusals per account, 20 and 200 per address (minute, hour), a 400 ms floor. */
const DEFAULT_LIMITS = {
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '5',
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: '20',
  GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '20',
  GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: '200',
  GATEWAY_MIN_FAILED_LOGIN_MS: '400',
};

/**
 * Starts a harness with `env` for the block (over every limit off), closed after it, with its
 * sandbox log and faults cleared after each test. The sandbox seeds 200 extra buyers.
 */
function harnessFor(env: Record<string, string>): () => Harness {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness({ env: { ...LIMITS_OFF, ...env }, sandbox: { buyers: 200 } });
  });
  afterAll(() => harness?.close());
  afterEach(() => {
    harness?.sandbox.clearRequests();
    harness?.sandbox.clearFaults();
  });
  return () => {
    if (harness === undefined) throw new Error('harness not started');
    return harness;
  };
}

const login = (harness: Harness, email: string, password: string, headers?: Record<string, string>) =>
  harness.graphql(LOGIN, { input: { email, password } }, headers);
const issueByCredentials = (harness: Harness, email: string, password: string) =>
  harness.graphql(ISSUE, { input: { credentials: { email, password } } });
const upstreamCalls = (harness: Harness) => harness.sandbox.requests.map((request) => `${request.method} ${request.path}`);
const codeOf = (reply: GraphQLReply) => firstError(reply)?.code ?? 'OK';
const signedIn = (reply: GraphQLReply) => (reply.body.data?.['login'] as { user?: { email?: string } } | null | undefined)?.user?.email ?? codeOf(reply);
const buyerEmail = (n: number) => `buyer-${n}@example.com`;
/** The emails of `count` seeded buyers, numbered from `first`. */
const buyers = (count: number, first = 1) => Array.from({ length: count }, (_, i) => buyerEmail(first + i));
const asTrusted = { 'x-gateway-key': TRUSTED_KEY };

/** The whole answer to a refused LOGIN: no data, one error at `login` with the wait in seconds. */
const rateLimitedLogin = {
  data: null,
  errors: [
    {
      message: RATE_LIMITED_MESSAGE,
      locations: [{ line: 3, column: 5 }],
      path: ['login'],
      extensions: { code: 'RATE_LIMITED', retryAfter: expect.any(Number), requestId: expect.any(String) },
    },
  ],
};

describe('per-account limit (5 refused attempts a minute)', () => {
  const harness = harnessFor({ GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '5' });

  it('the 6th wrong-password login for an account answers RATE_LIMITED with retryAfter, and never reaches the upstream', async () => {
    const codes = [];
    for (let i = 0; i < 5; i += 1) codes.push(codeOf(await login(harness(), buyer.email, WRONG)));

    const reply = await login(harness(), buyer.email, WRONG);

    expect(codes).toEqual(Array(5).fill('UNAUTHENTICATED'));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(rateLimitedLogin);
    const retryAfter = reply.body.errors?.[0]?.extensions?.['retryAfter'];
    expect(Number.isInteger(retryAfter) && (retryAfter as number) >= 1 && (retryAfter as number) <= 60).toBe(true);
    expect(upstreamCalls(harness())).toEqual(Array(5).fill('POST /graphql'));
  });

  it('once the budget is spent even the right password is refused, and the other paths of that account are too', async () => {
    const bcToken = await harness().sandbox.currentCustomerJwt(buyer.email);

    const replies = [
      await login(harness(), buyer.email, buyer.password),
      await issueByCredentials(harness(), buyer.email, buyer.password),
      await harness().graphql(AUTHORIZATION, { input: { bcToken } }),
      await harness().graphql(ISSUE, { input: { sessionJwt: { jwtToken: bcToken } } }),
    ];

    expect(replies.map(firstError)).toEqual(Array(4).fill({ code: 'RATE_LIMITED', message: RATE_LIMITED_MESSAGE }));
    expect(upstreamCalls(harness())).toEqual([]);
  });

  it('a request of six aliased wrong-password logins makes one attempt: the first refusal ends the mutation', async () => {
    const field = (alias: string) => `${alias}: login(input: { email: "aliases@example.com", password: "${WRONG}" }) { token { value } }`;
    const query = `mutation { ${['a', 'b', 'c', 'd', 'e', 'f'].map(field).join(' ')} }`;

    const reply = await harness().graphql(query);

    expect(reply.body.data).toBeNull();
    expect(reply.body.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([[['a'], 'UNAUTHENTICATED']]);
    expect(upstreamCalls(harness())).toEqual(['POST /graphql']);
  });

  it('checks every aliased login on its own, inside the request', async () => {
    const mutation = (wrongAliases: number) =>
      `mutation { ok: login(input: { email: "${junior.email}", password: "${junior.password}" }) { token { via } } ${Array.from(
        { length: wrongAliases },
        (_, i) => `x${i}: login(input: { email: "per-field@example.com", password: "${WRONG}" }) { token { via } }`,
      ).join(' ')} }`;
    for (let i = 0; i < 4; i += 1) await login(harness(), 'per-field@example.com', WRONG);
    harness().sandbox.clearRequests();

    const fifth = await harness().graphql(mutation(2));
    const sixth = await harness().graphql(mutation(1));

    expect(fifth.body.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([[['x0'], 'UNAUTHENTICATED']]);
    expect(sixth.body.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([[['x0'], 'RATE_LIMITED']]);
    // junior twice, the 5th attempt once; the 6th never left the gateway.
    expect(upstreamCalls(harness())).toEqual(Array(3).fill('POST /graphql'));
  });

  it('lets no more than 5 of 12 concurrent wrong-password requests reach the upstream: the others wait, then find the budget spent', async () => {
    const replies = await Promise.all(Array.from({ length: 12 }, () => login(harness(), 'concurrent@example.com', WRONG)));

    expect(replies.map(codeOf).sort()).toEqual([...Array(7).fill('RATE_LIMITED'), ...Array(5).fill('UNAUTHENTICATED')]);
    expect(upstreamCalls(harness())).toHaveLength(5);
  });

  it('shares one budget between login and issueStorefrontToken(credentials), whatever the email\'s case', async () => {
    const email = 'Shared.Account@Example.com';
    const codes = [
      codeOf(await login(harness(), email, WRONG)),
      codeOf(await issueByCredentials(harness(), email.toLowerCase(), WRONG)),
      codeOf(await login(harness(), email.toUpperCase(), WRONG)),
      codeOf(await issueByCredentials(harness(), email, WRONG)),
      codeOf(await login(harness(), email.toLowerCase(), WRONG)),
      codeOf(await issueByCredentials(harness(), email.toLowerCase(), WRONG)),
      codeOf(await login(harness(), email, WRONG)),
    ];

    expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(upstreamCalls(harness())).toEqual([
      'POST /graphql',
      'POST /api/io/auth/customers',
      'POST /graphql',
      'POST /api/io/auth/customers',
      'POST /graphql',
    ]);
  });

  it('answers RATE_LIMITED identically for an account that exists and one that does not', async () => {
    const spend = async (email: string) => {
      for (let i = 0; i < 5; i += 1) await login(harness(), email, WRONG);
      // The same request id for both, so that the answers may be compared whole.
      return login(harness(), email, WRONG, { 'x-request-id': 'compare-refusals' });
    };

    const existing = await spend(SANDBOX_USERS.pending.email);
    const unknown = await spend('nobody-at-all@example.com');

    expect(existing.body).toEqual(rateLimitedLogin);
    expect(unknown.body).toEqual(existing.body);
  });

  it('counts nothing for a successful login, so signing in often never locks a buyer out', async () => {
    const { shopper } = SANDBOX_USERS;
    const codes = [];
    for (let i = 0; i < 10; i += 1) codes.push(codeOf(await login(harness(), shopper.email, shopper.password)));
    for (let i = 0; i < 6; i += 1) codes.push(codeOf(await login(harness(), shopper.email, WRONG)));

    expect(codes).toEqual([...Array(10).fill('OK'), ...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    expect(upstreamCalls(harness())).toHaveLength(15);
  });
});

describe('per-address limit (3 refused attempts a minute)', () => {
  const harness = harnessFor({ GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '3' });

  it('refuses the 4th attempt from one address, whichever accounts it tries', async () => {
    const codes = [];
    for (const email of ['one@example.com', 'two@example.com', 'three@example.com', 'four@example.com']) {
      codes.push(codeOf(await login(harness(), email, WRONG)));
    }

    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
    expect(upstreamCalls(harness())).toHaveLength(3);
  });

  it('counts by the TCP peer: a caller with no socket (yoga.fetch, address unknown) has a budget of its own', async () => {
    const response = await harness().gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOGIN, variables: { input: { email: 'six@example.com', password: WRONG } } }),
    });

    expect(firstError({ status: response.status, headers: response.headers, body: await response.json() })?.code).toBe('UNAUTHENTICATED');
  });

  it('does not believe X-Forwarded-For unless told to', async () => {
    const reply = await login(harness(), 'five@example.com', WRONG, { 'x-forwarded-for': '198.51.100.77' });

    expect(firstError(reply)).toEqual({ code: 'RATE_LIMITED', message: RATE_LIMITED_MESSAGE });
  });
});

describe('per-address limit behind a trusted proxy (GATEWAY_TRUST_PROXY=true)', () => {
  const harness = harnessFor({ GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '2', GATEWAY_TRUST_PROXY: 'true' });

  it('counts each forwarded client apart, by the right-most X-Forwarded-For entry', async () => {
    const from = (chain: string, email: string) => login(harness(), email, WRONG, { 'x-forwarded-for': chain });

    const codes = [
      codeOf(await from('198.51.100.1', 'a@example.com')),
      codeOf(await from('6.6.6.6, 198.51.100.1', 'b@example.com')),
      codeOf(await from('7.7.7.7, 198.51.100.1', 'c@example.com')),
      codeOf(await from('198.51.100.2', 'd@example.com')),
    ];

    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED', 'UNAUTHENTICATED']);
  });
});

describe('minimum answer time for failed attempts (GATEWAY_MIN_FAILED_LOGIN_MS=300)', () => {
  const harness = harnessFor({ GATEWAY_MIN_FAILED_LOGIN_MS: '300', GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '2' });

  const timed = async (run: () => Promise<GraphQLReply>) => {
    const started = performance.now();
    const reply = await run();
    return { code: codeOf(reply), ms: performance.now() - started };
  };

  it('a wrong password, an unknown account and a refusal all take at least the minimum; a success does not wait', async () => {
    const wrongPassword = await timed(() => login(harness(), buyer.email, WRONG));
    const unknownAccount = await timed(() => login(harness(), 'nobody-timed@example.com', WRONG));
    await login(harness(), buyer.email, WRONG);
    const refused = await timed(() => login(harness(), buyer.email, WRONG));
    const badJwt = await timed(() => harness().graphql(AUTHORIZATION, { input: { bcToken: 'a.b.c' } }));
    const success = await timed(() => login(harness(), junior.email, junior.password));

    expect([wrongPassword.code, unknownAccount.code, refused.code, badJwt.code, success.code]).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
      'UNAUTHENTICATED',
      'OK',
    ]);
    for (const failed of [wrongPassword, unknownAccount, refused, badJwt]) expect(failed.ms).toBeGreaterThanOrEqual(290);
    expect(success.ms).toBeLessThan(300);
  });

  it('answers bad input at once: it never reaches the upstream, so it tells nothing about accounts', async () => {
    const badInput = await timed(() => login(harness(), 'not-an-email', WRONG));

    expect(badInput.code).toBe('BAD_USER_INPUT');
    expect(badInput.ms).toBeLessThan(300);
  });
});

describe('buyers signing in at once, limits as shipped', () => {
  const harness = harnessFor(DEFAULT_LIMITS);

  it('signs 50 different buyers in at once from one address, every one, burst after burst', async () => {
    // BigCommerce answering in 100 ms keeps all 50 in flight at once.
    harness().sandbox.injectFault({ match: 'POST /graphql', latencyMs: 100 });
    const emails = buyers(50);
    for (let burst = 0; burst < 3; burst += 1) {
      const replies = await Promise.all(emails.map((email) => login(harness(), email, 'Passw0rd!')));

      expect(replies.map(signedIn)).toEqual(emails);
    }
    expect(upstreamCalls(harness())).toHaveLength(150);
  });

  it('signs one account in 10 times at once with the right password', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => login(harness(), buyer.email, buyer.password)));

    expect(replies.map(signedIn)).toEqual(Array(10).fill(buyer.email));
  });
});

describe('wrong guesses at once, limits as shipped', () => {
  const harness = harnessFor(DEFAULT_LIMITS);

  it('lets no more than 5 of 30 wrong guesses at one account reach BigCommerce, 10 at a time', async () => {
    const codes: unknown[] = [];
    for (let round = 0; round < 3; round += 1) {
      codes.push(...(await Promise.all(Array.from({ length: 10 }, () => login(harness(), junior.email, WRONG)))).map(codeOf));
    }

    expect(codes.sort()).toEqual([...Array(25).fill('RATE_LIMITED'), ...Array(5).fill('UNAUTHENTICATED')]);
    expect(upstreamCalls(harness())).toHaveLength(5);
  });

  it('lets no more than 20 of 40 wrong guesses over 40 accounts from one address reach BigCommerce', async () => {
    const replies = await Promise.all(buyers(40, 101).map((email) => login(harness(), email, WRONG)));

    // 5 refusals of the test above already count against this address.
    expect(replies.map(codeOf).sort()).toEqual([...Array(25).fill('RATE_LIMITED'), ...Array(15).fill('UNAUTHENTICATED')]);
    expect(upstreamCalls(harness())).toHaveLength(15);
  });
});

describe('a trusted server caller (X-Gateway-Key), limits as shipped', () => {
  const harness = harnessFor(DEFAULT_LIMITS);

  it('signs 200 different buyers in at once: its own address has no budget', async () => {
    harness().sandbox.injectFault({ match: 'POST /graphql', latencyMs: 100 });
    const emails = buyers(200);

    const replies = await Promise.all(emails.map((email) => login(harness(), email, 'Passw0rd!', asTrusted)));

    expect(replies.map(signedIn)).toEqual(emails);
  });

  it('has 40 wrong passwords of 40 buyers all judged by BigCommerce, none refused here', async () => {
    const replies = await Promise.all(buyers(40).map((email) => login(harness(), email, WRONG, asTrusted)));

    expect(replies.map(codeOf)).toEqual(Array(40).fill('UNAUTHENTICATED'));
    expect(upstreamCalls(harness())).toHaveLength(40);
  });

  it('is held to the account budget: 10 guesses at one account at once reach BigCommerce 5 times', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => login(harness(), buyer.email, WRONG, asTrusted)));

    expect(replies.map(codeOf).sort()).toEqual([...Array(5).fill('RATE_LIMITED'), ...Array(5).fill('UNAUTHENTICATED')]);
    expect(upstreamCalls(harness())).toHaveLength(5);
  });

  it('leaves the address budget to untrusted callers of that address: their wrong guesses are still counted', async () => {
    const replies = await Promise.all(buyers(21, 101).map((email) => login(harness(), email, WRONG)));

    expect(replies.map(codeOf).sort()).toEqual(['RATE_LIMITED', ...Array(20).fill('UNAUTHENTICATED')]);
  });
});

describe('waiting for a slot until the deadline (B2B_TIMEOUT_MS=1000, BigCommerce answering in 600 ms)', () => {
  const harness = harnessFor({ ...DEFAULT_LIMITS, B2B_TIMEOUT_MS: '1000' });

  it('answers UPSTREAM_TIMEOUT to the sign-ins still waiting at the deadline, and counts none of them', async () => {
    harness().sandbox.injectFault({ match: 'POST /graphql', latencyMs: 600 });

    // 5 at a time for one account: the first 5 answer at ~600 ms, the next 5 at ~1200 ms, and
    // the last 5 are still waiting at 1000 ms.
    const replies = await Promise.all(Array.from({ length: 15 }, () => login(harness(), buyer.email, buyer.password)));
    harness().sandbox.clearFaults();

    expect(replies.map(codeOf).sort()).toEqual([...Array(10).fill('OK'), ...Array(5).fill('UPSTREAM_TIMEOUT')]);
    expect(replies.flatMap((reply) => reply.body.errors ?? []).map((error) => error.message)).toEqual(Array(5).fill('BigCommerce did not answer in time.'));
    expect(upstreamCalls(harness())).toHaveLength(10);
    const after = [];
    for (let i = 0; i < 6; i += 1) after.push(codeOf(await login(harness(), buyer.email, WRONG)));
    expect(after).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
  });
});
