import { describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { ISSUE_SERVER_TOKEN, REVOKE_SERVER_TOKEN as REVOKE, sendWithoutRequestIds, TRUSTED_KEY, useHarness } from '../../harness.js';

const harness = useHarness();
const send = sendWithoutRequestIds(harness);

const LIST = /* GraphQL */ `query { serverTokens(limit: 250) { totalCount nodes { id name } } }`;

const trusted = { 'x-gateway-key': TRUSTED_KEY };
const revoke = (variables: Record<string, unknown>, headers: Record<string, string> = trusted) => send(REVOKE, variables, headers);
const { owner } = SANDBOX_USERS;

const errorAnswer = (message: string, extensions: Record<string, unknown>) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['revokeServerToken'], extensions }],
});

async function tokenIds(): Promise<Array<{ id: number; name: string }>> {
  const reply = await send(LIST, undefined, trusted);
  return (reply.body.data?.['serverTokens'] as { nodes: Array<{ id: number; name: string }> }).nodes;
}

describe('revokeServerToken', () => {
  it('deletes a token issued by issueServerToken, with the id in the body of DELETE /api/io/auth/backend', async () => {
    await send(ISSUE_SERVER_TOKEN, { input: { email: owner.email, password: owner.password, name: 'short-lived' } }, trusted);
    const issued = (await tokenIds()).find((token) => token.name === 'short-lived');
    expect(issued).toBeDefined();
    harness.sandbox.clearRequests();

    const reply = await revoke({ id: issued?.id });

    expect(reply.body).toEqual({ data: { revokeServerToken: { id: issued?.id, storeHash: 'sandbox' } } });
    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'DELETE', path: '/api/io/auth/backend', query: {}, body: { id: issued?.id } });
    // The store's API account token stands in for the legacy `authToken` header (docs/upstream.md#delete-a-server-token).
    expect(request?.headers['x-auth-token']).toBe(harness.sandbox.authToken);
    expect(request?.headers['x-store-hash']).toBe('sandbox');
    expect((await tokenIds()).map((token) => token.name)).not.toContain('short-lived');
  });

  it('answers BAD_USER_INPUT naming `id` for an id the store does not have (upstream 404)', async () => {
    const reply = await revoke({ id: 9999 });

    expect(reply.body).toEqual(errorAnswer('id: no server-to-server token with this id in this store', { code: 'BAD_USER_INPUT', field: 'id' }));
    expect(harness.sandbox.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['DELETE /api/io/auth/backend']);
  });

  it.each([0, -3])('answers BAD_USER_INPUT for id %i, without calling BigCommerce', async (id) => {
    const reply = await revoke({ id });
    expect(reply.body).toEqual(errorAnswer('id: must be a positive integer', { code: 'BAD_USER_INPUT', field: 'id' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each<[string, Record<string, string>]>([
    ['no X-Gateway-Key', {}],
    ['a wrong X-Gateway-Key', { 'x-gateway-key': 'not-the-key-0123456789abcdef' }],
  ])('answers FORBIDDEN with %s, without calling BigCommerce', async (_case, headers) => {
    const reply = await revoke({ id: 1 }, headers);

    expect(reply.body).toEqual(errorAnswer('Revoking a server-to-server token needs a trusted caller (X-Gateway-Key).', { code: 'FORBIDDEN' }));
    expect(harness.sandbox.requests).toEqual([]);
    expect((await tokenIds()).map((token) => token.id)).toContain(1);
  });

  it('answers FORBIDDEN for a store the gateway does not serve, without calling BigCommerce', async () => {
    const reply = await revoke({ id: 1, storeHash: 'elsewhere' });
    expect(reply.body).toEqual(errorAnswer('This gateway does not serve that store.', { code: 'FORBIDDEN' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('masks a bare 404 page (a wrong B2B_API_URL), which says nothing about the token', async () => {
    harness.sandbox.injectFault({ match: 'DELETE /api/io/auth/backend', status: 404, body: '<html>Not Found</html>', contentType: 'text/html', times: 1 });
    const reply = await revoke({ id: 1 });
    expect(reply.body).toEqual(errorAnswer('Unexpected error.', { code: 'INTERNAL_SERVER_ERROR' }));
  });
});
