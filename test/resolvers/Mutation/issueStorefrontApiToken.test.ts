import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/environment.js';
import { createGateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/observability/logger.js';
import { CREDENTIAL_LIMITS_OFF, type Harness, startHarness, useHarness, withoutRequestIds } from '../../harness.js';
import { ISSUE_STOREFRONT_API_TOKEN, upstreamCalls } from '../../support/session.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

// `*` is configured too: it grants browsers CORS, but admits no origin into a token.
const CORS_ORIGINS = 'https://shop.example, http://localhost:*, *';

// The gateway's clock, when a test sets one; else the real time.
let clock: Date | undefined;
const harness = useHarness({ env: { GATEWAY_CORS_ORIGINS: CORS_ORIGINS }, gateway: { now: () => clock ?? new Date() } });
beforeEach(() => {
  clock = undefined;
});

const issue = async (input: Record<string, unknown>, on: Harness = harness, headers?: Record<string, string>) => {
  const reply = await on.graphql(ISSUE_STOREFRONT_API_TOKEN, { input }, headers);
  return { ...reply, body: withoutRequestIds(reply.body) };
};

const failed = (code: string, message: string, extensions: Record<string, unknown> = {}) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['issueStorefrontApiToken'], extensions: { ...extensions, code } }],
});

/** An instant `ms` from now with a millisecond part, which the gateway drops. */
const fromNow = (ms: number) => new Date(Math.floor((Date.now() + ms) / 1000) * 1000 + 123);
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('issueStorefrontApiToken', () => {
  it('creates a token in one anonymous upstream request, expiresAt sent in Unix seconds and answered as the instant sent', async () => {
    const expiresAt = fromNow(HOUR_MS);
    const allowedCorsOrigins = ['https://shop.example', 'http://localhost:5173'];

    const reply = await issue({ expiresAt: expiresAt.toISOString(), allowedCorsOrigins });

    const sent = new Date(seconds(expiresAt) * 1000).toISOString();
    expect(reply.body).toEqual({ data: { issueStorefrontApiToken: { value: expect.any(String), expiresAt: sent, allowedCorsOrigins, channelId: 1 } } });
    expect(upstreamCalls(harness.sandbox)).toEqual([
      {
        method: 'POST',
        path: '/graphql',
        operationName: 'StoreFrontToken',
        variables: { storeFrontTokenData: { storeHash: 'sandbox', channelId: 1, expiresAt: seconds(expiresAt), allowedCorsOrigins } },
        authorization: undefined,
        xAuthToken: false,
      },
    ]);
    const value = (reply.body.data?.['issueStorefrontApiToken'] as { value: string }).value;
    expect(decodeJwt(value)).toMatchObject({ eat: seconds(expiresAt), cors: allowedCorsOrigins, cid: [1] });
  });

  it("needs no token, and forwards none the caller sent", async () => {
    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: [] }, harness, { authorization: 'Bearer not-a-jwt' });

    expect(reply.body.errors).toBeUndefined();
    expect(harness.sandbox.requests.map((request) => request.headers['authorization'])).toEqual([undefined]);
  });

  it('creates a token for servers only with no origin at all', async () => {
    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: [] });

    expect(reply.body).toEqual({ data: { issueStorefrontApiToken: { value: expect.any(String), expiresAt: expect.any(String), allowedCorsOrigins: [], channelId: 1 } } });
  });

  it('takes the channel and store named, within what the gateway serves', async () => {
    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: ['https://shop.example'], channelId: 2, storeHash: 'sandbox' });

    expect(reply.body).toMatchObject({ data: { issueStorefrontApiToken: { channelId: 2 } } });
    expect(harness.sandbox.requests[0]?.body).toMatchObject({ variables: { storeFrontTokenData: { storeHash: 'sandbox', channelId: 2 } } });
  });

  it('admits a concrete localhost origin through the configured http://localhost:* pattern', async () => {
    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: ['http://localhost:3000', 'http://localhost'] });

    expect(reply.body.errors).toBeUndefined();
  });

  it.each([
    ['`*`, although configured', '*'],
    ['a pattern, although configured', 'http://localhost:*'],
    ['an origin the gateway does not serve', 'https://evil.example'],
    ['a served host on another port', 'https://shop.example:8443'],
    ['a served host over another scheme', 'http://shop.example'],
    ['a subdomain of a served host', 'https://www.shop.example'],
  ])('answers FORBIDDEN for %s, without calling BigCommerce', async (_name, origin) => {
    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: ['https://shop.example', origin] });

    expect(reply.body).toEqual(failed('FORBIDDEN', 'input.allowedCorsOrigins[1] is not an origin this gateway serves.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each(['shop.example', 'https://shop.example/', 'https://shop.example/path', 'ftp://shop.example', ''])(
    'answers BAD_USER_INPUT for %j, which is not an origin',
    async (origin) => {
      const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: [origin] });

      expect(reply.body).toEqual(failed('BAD_USER_INPUT', 'input.allowedCorsOrigins.0: must be an origin like https://shop.example', { field: 'input.allowedCorsOrigins.0' }));
      expect(harness.sandbox.requests).toEqual([]);
    },
  );

  it.each([
    ['in the past', () => fromNow(-HOUR_MS), 'must be in the future'],
    ['now, to the second', () => new Date(Math.floor(Date.now() / 1000) * 1000), 'must be in the future'],
    ['further ahead than 30 days', () => fromNow(30 * DAY_MS + HOUR_MS), 'must be at most 30 days ahead'],
  ])('answers BAD_USER_INPUT for an expiresAt %s, without calling BigCommerce', async (_name, expiresAt, reason) => {
    const reply = await issue({ expiresAt: expiresAt().toISOString(), allowedCorsOrigins: ['https://shop.example'] });

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', `input.expiresAt: ${reason}`, { field: 'input.expiresAt' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('accepts an expiresAt just inside 30 days', async () => {
    const reply = await issue({ expiresAt: new Date(Date.now() + 30 * DAY_MS - 60_000).toISOString(), allowedCorsOrigins: [] });

    expect(reply.body.errors).toBeUndefined();
  });

  it("refuses an expiresAt past B2B GraphQL's 32-bit Unix seconds", async () => {
    clock = new Date('2038-01-10T00:00:00Z');

    const reply = await issue({ expiresAt: '2038-01-20T00:00:00Z', allowedCorsOrigins: [] });

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', 'input.expiresAt: must be before 2038-01-19T03:14:08Z', { field: 'input.expiresAt' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers FORBIDDEN for a store the gateway does not serve', async () => {
    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: [], storeHash: 'other' });

    expect(reply.body).toEqual(failed('FORBIDDEN', 'This gateway does not serve that store.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each([
    ['an origin it does not serve', { allowedCorsOrigins: ['*'] }],
    ['a store it does not serve', { storeHash: 'other', allowedCorsOrigins: [] }],
  ])('answers BAD_USER_INPUT before FORBIDDEN: a past expiresAt with %s', async (_name, input) => {
    const reply = await issue({ expiresAt: fromNow(-HOUR_MS).toISOString(), ...input });

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', 'input.expiresAt: must be in the future', { field: 'input.expiresAt' }));
  });

  it("answers BigCommerce's refusal as an unexpected error, never with its message", async () => {
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: '{"errors":[{"message":"Origin https://shop.example refused"}],"data":{"storeFrontToken":null}}', times: 1 });

    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: ['https://shop.example'] });

    expect(reply.body).toEqual(failed('INTERNAL_SERVER_ERROR', 'Unexpected error.'));
  });

  it('answers UPSTREAM_BAD_RESPONSE for an answer without a token', async () => {
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: '{"data":{"storeFrontToken":{"token":null}}}', times: 1 });

    const reply = await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: [] });

    expect(reply.body).toEqual(failed('UPSTREAM_BAD_RESPONSE', 'BigCommerce answered in an unexpected shape.'));
  });
});

describe('issueStorefrontApiToken, as configured', () => {
  it('admits no origin when GATEWAY_CORS_ORIGINS is unset, and a lower maximum from GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS', async () => {
    const strict = await startHarness({ env: { GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS: '1' } });
    try {
      expect((await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: ['http://localhost:3000'] }, strict)).body).toEqual(
        failed('FORBIDDEN', 'input.allowedCorsOrigins[0] is not an origin this gateway serves.'),
      );
      expect((await issue({ expiresAt: fromNow(2 * DAY_MS).toISOString(), allowedCorsOrigins: [] }, strict)).body).toEqual(
        failed('BAD_USER_INPUT', 'input.expiresAt: must be at most 1 day ahead', { field: 'input.expiresAt' }),
      );
      expect((await issue({ expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins: [] }, strict)).body.errors).toBeUndefined();
      expect(strict.sandbox.requests).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });

  it("admits the sandbox's default origins (any localhost port) on the embedded sandbox", async () => {
    const gateway = await createGateway(loadConfig({ ...CREDENTIAL_LIMITS_OFF }), { logger: createLogger({ level: 'error', write: () => {} }) });
    const send = async (allowedCorsOrigins: string[]) => {
      const response = await gateway.yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ISSUE_STOREFRONT_API_TOKEN, variables: { input: { expiresAt: fromNow(HOUR_MS).toISOString(), allowedCorsOrigins } } }),
      });
      return withoutRequestIds((await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> });
    };
    try {
      expect(await send(['http://localhost:3000', 'http://127.0.0.1:5173'])).toEqual({
        data: { issueStorefrontApiToken: { value: expect.any(String), expiresAt: expect.any(String), allowedCorsOrigins: ['http://localhost:3000', 'http://127.0.0.1:5173'], channelId: 1 } },
      });
      expect(await send(['https://shop.example'])).toEqual(failed('FORBIDDEN', 'input.allowedCorsOrigins[0] is not an origin this gateway serves.'));
    } finally {
      await gateway.close();
    }
  });
});

describe('GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS', () => {
  it('defaults to 30 days, and takes a whole number of days from 1 to 365', () => {
    expect(loadConfig({}).storefrontApiTokenMaxTtlMs).toBe(30 * DAY_MS);
    expect(loadConfig({ GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS: '7' }).storefrontApiTokenMaxTtlMs).toBe(7 * DAY_MS);
    for (const [value, reason] of [
      ['0', 'must be at least 1'],
      ['366', 'must be at most 365'],
      ['1.5', 'Invalid input: expected int, received number'],
    ]) {
      expect(() => loadConfig({ GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS: value })).toThrow(`GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS: ${reason}`);
    }
  });
});
