import { describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { SERVER_TOKENS, sendWithoutRequestIds, TRUSTED_KEY, useHarness } from '../../harness.js';

const harness = useHarness();
const send = sendWithoutRequestIds(harness);

const DEFAULTS = /* GraphQL */ `query { serverTokens { totalCount limit offset nodes { id name eventChannel } } }`;

const trusted = { 'x-gateway-key': TRUSTED_KEY };
const list = (variables: Record<string, unknown>, headers: Record<string, string> = trusted) =>
  send(SERVER_TOKENS, { limit: 10, offset: 0, ...variables }, headers);
const { owner } = SANDBOX_USERS;
const jwt = expect.stringMatching(/^eyJ[\w-]*\.[\w-]+\.[\w-]+$/) as unknown as string;

const errorAnswer = (message: string, extensions: Record<string, unknown>) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['serverTokens'], extensions }],
});

describe('serverTokens', () => {
  it("lists the store's server-to-server tokens with their values, from GET /api/io/backend/tokens", async () => {
    const reply = await list({});

    expect(reply.body).toEqual({
      data: {
        serverTokens: {
          totalCount: 2,
          limit: 10,
          offset: 0,
          nodes: [
            { id: 1, name: 'ERP integration', email: owner.email, storeHash: 'sandbox', token: jwt, eventChannel: 'ADMIN' },
            { id: 2, name: 'B2B Edition app', email: owner.email, storeHash: 'sandbox', token: jwt, eventChannel: 'APP' },
          ],
        },
      },
    });
    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/api/io/backend/tokens', query: { limit: '10', offset: '0' } });
    expect(request?.headers['x-auth-token']).toBe(harness.sandbox.authToken);
    expect(request?.headers['x-store-hash']).toBe('sandbox');
  });

  it('pages with limit and offset, the defaults being 10 and 0', async () => {
    expect((await list({ limit: 1, offset: 1 })).body).toMatchObject({
      data: { serverTokens: { totalCount: 2, limit: 1, offset: 1, nodes: [{ id: 2, name: 'B2B Edition app' }] } },
    });
    expect((await send(DEFAULTS, undefined, trusted)).body).toMatchObject({ data: { serverTokens: { totalCount: 2, limit: 10, offset: 0 } } });
    expect(harness.sandbox.requests.map((request) => request.query)).toEqual([
      { limit: '1', offset: '1' },
      { limit: '10', offset: '0' },
    ]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['limit 0', { limit: 0 }, 'limit', 'must be between 1 and 250'],
    ['limit 251', { limit: 251 }, 'limit', 'must be between 1 and 250'],
    ['a negative offset', { offset: -1 }, 'offset', 'must not be negative'],
    ['a malformed store hash', { storeHash: '' }, 'storeHash', 'must not be empty'],
  ])('answers BAD_USER_INPUT for %s, without calling BigCommerce', async (_case, variables, field, reason) => {
    const reply = await list(variables);

    expect(reply.body).toEqual(errorAnswer(`${field}: ${reason}`, { code: 'BAD_USER_INPUT', field }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('accepts the bounds, limit 1 and 250', async () => {
    for (const limit of [1, 250]) expect((await list({ limit })).body.errors).toBeUndefined();
  });

  it.each<[string, Record<string, string>]>([
    ['no X-Gateway-Key', {}],
    ['a wrong X-Gateway-Key', { 'x-gateway-key': 'not-the-key-0123456789abcdef' }],
  ])('answers FORBIDDEN with %s, without calling BigCommerce and without any token', async (_case, headers) => {
    const reply = await list({ limit: 0 }, headers);

    expect(reply.body).toEqual(errorAnswer('Listing server-to-server tokens needs a trusted caller (X-Gateway-Key).', { code: 'FORBIDDEN' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers an event channel it does not know as UNKNOWN', async () => {
    harness.sandbox.injectFault({
      match: 'GET /api/io/backend/tokens',
      status: 200,
      body: JSON.stringify({
        code: 200,
        data: [{ id: 9, name: 'n', email: owner.email, storeHash: 'sandbox', token: 'eyJhbGciOiJIUzI1NiJ9.eyJlIjoxfQ.c2ln', eventChannel: 'webhook' }],
        meta: { message: 'SUCCESS', pagination: { totalCount: 1, limit: 10, offset: 0 } },
      }),
      times: 1,
    });
    expect((await list({})).body).toMatchObject({ data: { serverTokens: { nodes: [{ id: 9, eventChannel: 'UNKNOWN' }] } } });
  });

  it('answers UPSTREAM_BAD_RESPONSE without the documented meta.pagination', async () => {
    harness.sandbox.injectFault({
      match: 'GET /api/io/backend/tokens',
      status: 200,
      body: JSON.stringify({ code: 200, data: [], meta: { message: 'SUCCESS' } }),
      times: 1,
    });
    expect((await list({})).body).toEqual(errorAnswer('BigCommerce answered in an unexpected shape.', { code: 'UPSTREAM_BAD_RESPONSE' }));
  });

  it('is deprecated, with the migration to store-level API accounts in the reason', async () => {
    const reply = await send(
      `{ q: __type(name: "Query") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } }
         m: __type(name: "Mutation") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`,
      undefined,
      trusted,
    );
    const fields = [...((reply.body.data?.['q'] as { fields: Array<Record<string, unknown>> }).fields ?? []), ...((reply.body.data?.['m'] as { fields: Array<Record<string, unknown>> }).fields ?? [])];
    const admin = fields.filter((field) => ['serverTokens', 'issueServerToken', 'revokeServerToken'].includes(field['name'] as string));
    expect(admin).toHaveLength(3);
    for (const field of admin) {
      expect(field).toMatchObject({ isDeprecated: true, deprecationReason: expect.stringContaining('September 30, 2025') });
      expect(field['deprecationReason']).toMatch(/Store-level API accounts/);
      expect(field['deprecationReason']).toMatch(/X-Auth-Token/);
    }
    expect(fields.filter((field) => field['isDeprecated']).map((field) => field['name'])).toEqual(
      expect.arrayContaining(['serverTokens', 'issueServerToken', 'revokeServerToken']),
    );
  });
});
