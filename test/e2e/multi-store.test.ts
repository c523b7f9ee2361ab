// One gateway, two stores: the sandbox's own (the default) and `other`, listed in GATEWAY_STORES.
// The sandbox serves one store hash, so it refuses `other` the way BigCommerce refuses a
// mismatched X-Store-Hash (a 500); what these tests check is that each request carried the store
// and the token asked for, and that the stores the gateway does not serve never reach it.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createGateway } from '../../src/gateway.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { firstError, ISSUE, LOGIN, startHarness, TRUSTED_KEY, type Harness } from '../harness.js';

const OTHER_TOKEN = 'other-store-Sup3rSecret-0123456789';
const { buyer } = SANDBOX_USERS;
const credentials = { email: buyer.email, password: buyer.password };
const trusted = { 'x-gateway-key': TRUSTED_KEY };

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({
    env: { GATEWAY_STORES: JSON.stringify({ other: { authToken: OTHER_TOKEN, channels: [2, 3] } }) },
  });
});
afterAll(() => harness?.close());
beforeEach(() => harness.sandbox.clearRequests());
afterEach(() => expect(harness.logs.join('\n')).not.toContain(OTHER_TOKEN));

describe('a gateway serving several stores', () => {
  it('serves the default store (B2B_STORE_HASH) when the input names none, and by name', async () => {
    for (const storeHash of [undefined, 'sandbox']) {
      const reply = await harness.graphql(ISSUE, { input: { credentials: { ...credentials, ...(storeHash && { storeHash }) } } });
      expect(reply.body.data?.['issueStorefrontToken']).toMatchObject({ token: { storeHash: 'sandbox', channelId: 1, via: 'REST_CREDENTIALS' } });
    }
    expect(harness.sandbox.requests.map((request) => request.headers['x-auth-token'])).toEqual([harness.sandbox.authToken, harness.sandbox.authToken]);
  });

  it('sends a request for another store with that store hash, its X-Auth-Token and its default channel', async () => {
    const reply = await harness.graphql(ISSUE, { input: { credentials: { ...credentials, storeHash: 'other' } } });

    // The sandbox is not `other`: it answers 500 as BigCommerce does for a foreign store hash.
    expect(firstError(reply)).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: 'BigCommerce is unavailable.' });
    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/io/auth/customers' });
    expect(request?.headers['x-store-hash']).toBe('other');
    expect(request?.headers['x-auth-token']).toBe(OTHER_TOKEN);
    // B2B_CHANNEL_ID (1) is not one of `other`'s channels: its first channel is its default.
    expect(request?.body).toMatchObject({ storeHash: 'other', channelId: 2 });
  });

  it('sends the anonymous GraphQL login for another store with its hash and no X-Auth-Token at all', async () => {
    const reply = await harness.graphql(LOGIN, { input: { ...credentials, storeHash: 'other', channelId: 3 } });

    expect(firstError(reply)?.code).toBe('UNAUTHENTICATED');
    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request?.path).toBe('/graphql');
    expect(request?.headers['x-auth-token']).toBeUndefined();
    expect((request?.body as { variables: unknown }).variables).toEqual({ loginData: { storeHash: 'other', ...credentials, channelId: 3 } });
  });

  it('answers FORBIDDEN for a store it does not serve, without calling BigCommerce', async () => {
    const replies = await Promise.all([
      harness.graphql(LOGIN, { input: { ...credentials, storeHash: 'elsewhere' } }),
      harness.graphql(ISSUE, { input: { credentials: { ...credentials, storeHash: 'elsewhere' } } }),
      harness.graphql(ISSUE, { input: { customer: { customerId: buyer.bcId, storeHash: 'elsewhere' } } }, trusted),
      harness.graphql('query { serverTokens(storeHash: "elsewhere") { totalCount } }', undefined, trusted),
    ]);
    for (const reply of replies) expect(firstError(reply)).toEqual({ code: 'FORBIDDEN', message: 'This gateway does not serve that store.' });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers FORBIDDEN for a channel outside the store\'s channels, without calling BigCommerce', async () => {
    const replies = await Promise.all([
      harness.graphql(LOGIN, { input: { ...credentials, storeHash: 'other', channelId: 1 } }),
      harness.graphql(ISSUE, { input: { credentials: { ...credentials, storeHash: 'other', channelId: 7 } } }),
      harness.graphql(ISSUE, { input: { sessionJwt: { jwtToken: 'a.b.c', storeHash: 'other', channelId: 1 } } }),
    ]);
    for (const reply of replies) expect(firstError(reply)).toEqual({ code: 'FORBIDDEN', message: 'This gateway does not serve that channel of the store.' });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('lists another store\'s server tokens with that store\'s hash and token', async () => {
    const reply = await harness.graphql('query { serverTokens(storeHash: "other") { totalCount } }', undefined, trusted);

    expect(firstError(reply)?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(harness.sandbox.requests.map((request) => [request.method, request.path, request.headers['x-store-hash'], request.headers['x-auth-token']])).toEqual([
      ['GET', '/api/io/backend/tokens', 'other', OTHER_TOKEN],
    ]);
  });
});

describe("the gateway's own logger", () => {
  it('redacts every store\'s X-Auth-Token, not only the default one\'s', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const gateway = await createGateway(
      loadConfig({
        B2B_API_URL: 'http://127.0.0.1:9',
        B2B_STORE_HASH: 'main',
        B2B_AUTH_TOKEN: 'main-store-Sup3rSecret-0123456789',
        GATEWAY_STORES: JSON.stringify({ other: { authToken: OTHER_TOKEN } }),
      }),
    );
    try {
      gateway.yoga.logger.warn(`a careless line with main-store-Sup3rSecret-0123456789 and ${OTHER_TOKEN}`);
    } finally {
      spy.mockRestore();
      await gateway.close();
    }
    const line = written.find((text) => text.includes('a careless line'));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ level: 'warn', msg: 'a careless line with [redacted] and [redacted]' });
  });
});
