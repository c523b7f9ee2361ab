// Path failover (docs/upstream.md#the-transport): while B2B GraphQL is unavailable, `login` is served by REST
// `POST /api/io/auth/customers` and `authorization` by REST `GET /api/io/auth/storefront`, and
// `token.via` says so. A refusal is an answer, never failed over. A switch turns it off.
// Gateway → HTTP → sandbox, with the sandbox's fault injection.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/sandbox/index.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { AUTHORIZATION, type GraphQLReply, type Harness, LOGIN, startHarness } from '../harness.js';

const buyer = SANDBOX_USERS.buyer;
const DEADLINE_MS = 400;

/** Environment shared by every harness here: a short deadline, nothing else in the way. */
const ENV = {
  B2B_TIMEOUT_MS: String(DEADLINE_MS),
  // The breaker would otherwise open on the repeated outages below and change what later tests see.
  GATEWAY_BREAKER_THRESHOLD: '1000',
};

/** Ways B2B GraphQL can be down and answer fast: these are failed over. */
const OUTAGES: Array<{ name: string; fault: Omit<FaultSpec, 'match' | 'times'> }> = [
  { name: 'answers 503', fault: { status: 503, body: '{"errors":[{"message":"Service Unavailable"}]}' } },
  { name: 'drops the connection', fault: { drop: 'before-headers' } },
];

/** A hang: the deadline is spent, so it is answered, not failed over (until the circuit opens). */
const HANG: Omit<FaultSpec, 'match' | 'times'> = { latencyMs: DEADLINE_MS + 1000 };

const GRAPHQL = 'POST /graphql';
const REST_CREDENTIALS = 'POST /api/io/auth/customers';
const REST_SESSION_JWT = 'GET /api/io/auth/storefront';

const calls = (h: Harness) => h.sandbox.requests.map((request) => `${request.method} ${request.path}`);
const login = (h: Harness, password: string = buyer.password) => h.graphql(LOGIN, { input: { email: buyer.email, password } });
const authorize = async (h: Harness, input: Record<string, unknown> = {}) =>
  h.graphql(AUTHORIZATION, { input: { bcToken: await h.sandbox.currentCustomerJwt(buyer.email), ...input } });

/** A storefront token served by `via`. */
const tokenVia = (via: string) =>
  expect.objectContaining({ value: expect.stringMatching(/^eyJ/), storeHash: 'sandbox', expiresAt: expect.any(String), via });

function expectError(reply: GraphQLReply, field: string, message: string, code: string): void {
  expect(reply.body).toEqual({ data: null, errors: [{ message, locations: expect.any(Array), path: [field], extensions: { code, requestId: expect.any(String) } }] });
}

describe('path failover (on by default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: ENV });
  });
  beforeEach(() => {
    h.sandbox.clearFaults();
    h.sandbox.clearRequests();
  });
  afterAll(() => h?.close());

  it('with GraphQL well, login and authorization use GraphQL and never REST', async () => {
    expect((await login(h)).body.data?.['login']).toMatchObject({ token: { via: 'GRAPHQL_LOGIN' } });
    expect((await authorize(h)).body.data?.['authorization']).toMatchObject({ token: { via: 'GRAPHQL_AUTHORIZATION' } });
    expect(calls(h)).toEqual([GRAPHQL, GRAPHQL]);
  });

  it.each(OUTAGES)('when B2B GraphQL $name, login is served by REST credentials (via REST_CREDENTIALS)', async ({ fault }) => {
    h.sandbox.injectFault({ ...fault, match: GRAPHQL, times: 1 });
    const reply = await login(h);
    expect(reply.body).toEqual({
      data: { login: { token: tokenVia('REST_CREDENTIALS'), storefrontLoginToken: null, user: null, permissions: [] } },
    });
    expect(calls(h)).toEqual([GRAPHQL, REST_CREDENTIALS]);
    const [graphql, rest] = h.sandbox.requests;
    // The REST path needs the server-held token; the anonymous GraphQL API never gets it.
    expect(graphql?.headers['x-auth-token']).toBeUndefined();
    expect(rest?.headers['x-auth-token']).toBe(h.sandbox.authToken);
    expect(rest?.body).toMatchObject({ storeHash: 'sandbox', email: buyer.email, password: buyer.password, channelId: 1, name: expect.any(String) });
  });

  it.each(OUTAGES)('when B2B GraphQL $name, authorization is served by REST session JWT (via REST_SESSION_JWT)', async ({ fault }) => {
    h.sandbox.injectFault({ ...fault, match: GRAPHQL, times: 1 });
    const reply = await authorize(h);
    expect(reply.body).toEqual({ data: { authorization: { token: tokenVia('REST_SESSION_JWT'), permissions: [] } } });
    expect(calls(h)).toEqual([GRAPHQL, REST_SESSION_JWT]);
    const rest = h.sandbox.requests[1];
    // No channel named: none sent, as single-storefront stores need (docs/upstream.md#token-from-a-session-jwt). No server token either.
    expect(rest?.query).toEqual({ jwtToken: expect.stringMatching(/^eyJ/) });
    expect(rest?.headers['x-auth-token']).toBeUndefined();
  });

  it('authorization failed over with a channel named sends that channel to REST', async () => {
    h.sandbox.injectFault({ status: 503, body: '', match: GRAPHQL, times: 1 });
    const reply = await authorize(h, { channelId: 1 });
    expect(reply.body.data?.['authorization']).toMatchObject({ token: { via: 'REST_SESSION_JWT' } });
    expect(h.sandbox.requests[1]?.query).toEqual({ jwtToken: expect.any(String), channelId: '1' });
  });

  it('a wrong password over GraphQL is an answer, not an outage: UNAUTHENTICATED and no REST call', async () => {
    expectError(await login(h, 'not-the-password'), 'login', 'Invalid email or password.', 'UNAUTHENTICATED');
    expect(calls(h)).toEqual([GRAPHQL]);
  });

  it('an invalid bcToken over GraphQL is not failed over: UNAUTHENTICATED and no REST call', async () => {
    expectError(await h.graphql(AUTHORIZATION, { input: { bcToken: 'not.a.jwt' } }), 'authorization', 'Invalid or expired token.', 'UNAUTHENTICATED');
    expect(calls(h)).toEqual([GRAPHQL]);
  });

  it('a 429 from GraphQL is not failed over (REST shares the store rate limit): RATE_LIMITED, no REST call', async () => {
    h.sandbox.injectFault({
      match: GRAPHQL,
      times: 1,
      status: 429,
      body: '{"code":429,"data":{"errMsg":"Too many requests"},"meta":{"message":"Too Many Requests"}}',
      headers: { 'Retry-After': '9' },
    });
    const reply = await login(h);
    expect(reply.body).toEqual({
      data: null,
      errors: [
        {
          message: 'BigCommerce is rate limiting this store; try again later.',
          locations: expect.any(Array),
          path: ['login'],
          extensions: { code: 'RATE_LIMITED', retryAfter: 9, requestId: expect.any(String) },
        },
      ],
    });
    expect(calls(h)).toEqual([GRAPHQL]);
  });

  it('a GraphQL answer in the wrong shape is not failed over: UPSTREAM_BAD_RESPONSE, no REST call', async () => {
    h.sandbox.injectFault({ match: GRAPHQL, times: 1, status: 200, body: '{"data":{"login":{"result":{"token":null}}}}' });
    expectError(await login(h), 'login', 'BigCommerce answered in an unexpected shape.', 'UPSTREAM_BAD_RESPONSE');
    expect(calls(h)).toEqual([GRAPHQL]);
  });

  it('GraphQL down and REST refusing the password answers the same UNAUTHENTICATED as GraphQL would', async () => {
    h.sandbox.injectFault({ status: 503, body: '', match: GRAPHQL, times: 1 });
    expectError(await login(h, 'not-the-password'), 'login', 'Invalid email or password.', 'UNAUTHENTICATED');
    expect(calls(h)).toEqual([GRAPHQL, REST_CREDENTIALS]);
  });

  it('a GraphQL timeout is answered UPSTREAM_TIMEOUT within one deadline, without a second wait on REST', async () => {
    h.sandbox.injectFault({ ...HANG, match: GRAPHQL, times: 1 });
    const started = performance.now();
    const reply = await login(h);
    const elapsed = performance.now() - started;
    expectError(reply, 'login', 'BigCommerce did not answer in time.', 'UPSTREAM_TIMEOUT');
    expect(calls(h)).toEqual([GRAPHQL]);
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(elapsed).toBeLessThan(DEADLINE_MS + 300);
  });

  it('both paths down answers UPSTREAM_UNAVAILABLE', async () => {
    h.sandbox.injectFault({ status: 503, body: '', match: GRAPHQL, times: 1 });
    h.sandbox.injectFault({ status: 503, body: '', match: REST_CREDENTIALS, times: 1 });
    expectError(await login(h), 'login', 'BigCommerce is unavailable.', 'UPSTREAM_UNAVAILABLE');
    expect(calls(h)).toEqual([GRAPHQL, REST_CREDENTIALS]);
  });
});

describe('path failover with an open circuit on GraphQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...ENV, GATEWAY_BREAKER_THRESHOLD: '1', GATEWAY_BREAKER_COOLDOWN_MS: '60000' } });
  });
  afterAll(() => h?.close());

  it('a timeout opens the circuit, and the next login goes to REST at once', async () => {
    h.sandbox.injectFault({ ...HANG, match: GRAPHQL, times: 1 });
    expectError(await login(h), 'login', 'BigCommerce did not answer in time.', 'UPSTREAM_TIMEOUT');
    expect(h.gateway.upstream.circuits()).toMatchObject({ 'graphql login': 'open' });
    h.sandbox.clearRequests();
    const started = performance.now();
    expect((await login(h)).body.data?.['login']).toMatchObject({ token: { via: 'REST_CREDENTIALS' } });
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS);
    expect(calls(h)).toEqual([REST_CREDENTIALS]);
  });

  it('login goes straight to REST while the GraphQL circuit is open', async () => {
    h.sandbox.injectFault({ status: 503, body: '', match: GRAPHQL, times: 1 });
    expect((await login(h)).body.data?.['login']).toMatchObject({ token: { via: 'REST_CREDENTIALS' } });
    expect(h.gateway.upstream.circuits()).toMatchObject({ 'graphql login': 'open' });
    h.sandbox.clearRequests();
    expect((await login(h)).body.data?.['login']).toMatchObject({ token: { via: 'REST_CREDENTIALS' } });
    expect(calls(h)).toEqual([REST_CREDENTIALS]);
  });
});

describe('with GATEWAY_PATH_FAILOVER=false', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...ENV, GATEWAY_PATH_FAILOVER: 'false' } });
  });
  beforeEach(() => {
    h.sandbox.clearFaults();
    h.sandbox.clearRequests();
  });
  afterAll(() => h?.close());

  it.each([...OUTAGES, { name: 'does not answer within the deadline', fault: HANG }])('when B2B GraphQL $name, login answers its error and REST is not called', async ({ fault }) => {
    h.sandbox.injectFault({ ...fault, match: GRAPHQL, times: 1 });
    const reply = await login(h);
    if (fault.latencyMs === undefined) expectError(reply, 'login', 'BigCommerce is unavailable.', 'UPSTREAM_UNAVAILABLE');
    else expectError(reply, 'login', 'BigCommerce did not answer in time.', 'UPSTREAM_TIMEOUT');
    expect(calls(h)).toEqual([GRAPHQL]);
  });

  it('when B2B GraphQL answers 503, authorization answers UPSTREAM_UNAVAILABLE and REST is not called', async () => {
    h.sandbox.injectFault({ status: 503, body: '', match: GRAPHQL, times: 1 });
    expectError(await authorize(h), 'authorization', 'BigCommerce is unavailable.', 'UPSTREAM_UNAVAILABLE');
    expect(calls(h)).toEqual([GRAPHQL]);
  });
});
