import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { type GraphQLReply, type Harness, ISSUE_SERVER_TOKEN, sendWithoutRequestIds, startHarness, TRUSTED_KEY, useHarness } from '../../harness.js';

const harness = useHarness();
const send = sendWithoutRequestIds(harness);

const { owner, admin, staff } = SANDBOX_USERS;
const trusted = { 'x-gateway-key': TRUSTED_KEY };
const issue = (input: Record<string, unknown>, headers: Record<string, string> = trusted) => send(ISSUE_SERVER_TOKEN, { input }, headers);
const ownerInput = { email: owner.email, password: owner.password, name: 'nightly ERP sync' };

const errorAnswer = (message: string, extensions: Record<string, unknown>) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['issueServerToken'], extensions }],
});
const payloadOf = (reply: GraphQLReply) => reply.body.data?.['issueServerToken'] as { name: string; storeHash: string; token: string };

describe('issueServerToken', () => {
  it('issues a server-to-server token for the Store Owner, from the data array of POST /api/io/auth/backend', async () => {
    const reply = await issue(ownerInput);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { issueServerToken: { name: 'nightly ERP sync', storeHash: 'sandbox', token: expect.stringMatching(/^eyJ/) } } });
    expect(decodeJwt(payloadOf(reply).token)).toMatchObject({ email: owner.email, store_hash: 'sandbox' });
  });

  it('sends the documented body with X-Store-Hash and without the X-Auth-Token (the endpoint takes none)', async () => {
    await issue(ownerInput);

    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/io/auth/backend', query: {} });
    expect(request?.body).toEqual({ storeHash: 'sandbox', email: owner.email, password: owner.password, name: 'nightly ERP sync' });
    expect(request?.headers['x-store-hash']).toBe('sandbox');
    expect(request?.headers['x-auth-token']).toBeUndefined();
    expect(request?.headers['authtoken']).toBeUndefined();
  });

  it('also issues one for the built-in Administrator role', async () => {
    const reply = await issue({ email: admin.email, password: admin.password, name: 'admin token' });
    expect(payloadOf(reply)).toMatchObject({ name: 'admin token', storeHash: 'sandbox' });
  });

  it('answers UNAUTHENTICATED with the generic message for a wrong password', async () => {
    const reply = await issue({ ...ownerInput, password: 'Wr0ng-Passw0rd!' });
    expect(reply.body).toEqual(errorAnswer('Invalid email or password.', { code: 'UNAUTHENTICATED' }));
  });

  it('answers FORBIDDEN, saying why, for a backend user with a custom role ("role forbidden")', async () => {
    const reply = await issue({ email: staff.email, password: staff.password, name: 'staff token' });
    expect(reply.body).toEqual(
      errorAnswer(
        'Only backend users with the built-in Store Owner or Administrator role can issue server-to-server tokens; BigCommerce refuses custom roles.',
        { code: 'FORBIDDEN' },
      ),
    );
  });

  it.each<[string, Record<string, string>]>([
    ['no X-Gateway-Key', {}],
    ['a wrong X-Gateway-Key', { 'x-gateway-key': 'not-the-key-0123456789abcdef' }],
  ])('answers FORBIDDEN with %s, before validating the input or calling BigCommerce', async (_case, headers) => {
    const reply = await issue({ ...ownerInput, email: 'not-an-email' }, headers);

    expect(reply.body).toEqual(errorAnswer('Issuing a server-to-server token needs a trusted caller (X-Gateway-Key).', { code: 'FORBIDDEN' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a malformed email', { email: 'owner-at-example.com' }, 'input.email', 'must be a valid email address'],
    ['an empty password', { password: '' }, 'input.password', 'must not be empty'],
    ['a blank name', { name: '   ' }, 'input.name', 'must not be empty'],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, 'input.name', 'must be at most 100 characters'],
    ['a malformed store hash', { storeHash: 'no such store' }, 'input.storeHash', 'must contain only letters, digits, "-" and "_"'],
  ])('answers BAD_USER_INPUT for %s, without calling BigCommerce', async (_case, change, field, reason) => {
    const reply = await issue({ ...ownerInput, ...change });

    expect(reply.body).toEqual(errorAnswer(`${field}: ${reason}`, { code: 'BAD_USER_INPUT', field }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers FORBIDDEN for a store the gateway does not serve, without calling BigCommerce', async () => {
    const reply = await issue({ ...ownerInput, storeHash: 'elsewhere' });
    expect(reply.body).toEqual(errorAnswer('This gateway does not serve that store.', { code: 'FORBIDDEN' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers UPSTREAM_BAD_RESPONSE when `data` is an object instead of the documented array', async () => {
    harness.sandbox.injectFault({
      match: 'POST /api/io/auth/backend',
      status: 200,
      body: JSON.stringify({ code: 200, data: { name: 'x', token: 'eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6IngifQ.c2ln' }, meta: { message: 'SUCCESS' } }),
      times: 1,
    });
    const reply = await issue(ownerInput);
    expect(reply.body).toEqual(errorAnswer('BigCommerce answered in an unexpected shape.', { code: 'UPSTREAM_BAD_RESPONSE' }));
  });

  it('answers UPSTREAM_UNAVAILABLE for an upstream 503', async () => {
    harness.sandbox.injectFault({ match: 'POST /api/io/auth/backend', status: 503, times: 1 });
    const reply = await issue(ownerInput);
    expect(reply.body).toEqual(errorAnswer('BigCommerce is unavailable.', { code: 'UPSTREAM_UNAVAILABLE' }));
  });
});

describe('issueServerToken and the credential limits', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ env: { GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '2' } });
  });
  afterAll(() => limited?.close());

  it('counts wrong backend passwords like buyer ones, even from a trusted caller: the 3rd answers RATE_LIMITED without calling BigCommerce', async () => {
    const codes: unknown[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reply = await limited.graphql(ISSUE_SERVER_TOKEN, { input: { ...ownerInput, password: `Wr0ng-${attempt}` } }, trusted);
      codes.push(reply.body.errors?.[0]?.extensions?.['code']);
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
    expect(limited.sandbox.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /api/io/auth/backend', 'POST /api/io/auth/backend']);
  });
});
