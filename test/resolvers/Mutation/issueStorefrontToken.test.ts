import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { expectedToken, type GraphQLReply, ISSUE, TRUSTED_KEY, useHarness } from '../../harness.js';
import { isoFromSeconds } from '../../support/jwt.js';

const harness = useHarness();

const { buyer } = SANDBOX_USERS;
const HOUR_MS = 3_600_000;
/** A whole second `offsetMs` from now, so that it survives the round trip through Unix seconds. */
const wholeSecondFromNow = (offsetMs: number) => new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000);
const unixSeconds = (date: Date) => date.getTime() / 1000;

const issue = (input: Record<string, unknown>, headers?: Record<string, string>) => harness.graphql(ISSUE, { input }, headers);
const tokenOf = (reply: GraphQLReply) =>
  (reply.body.data?.['issueStorefrontToken'] as { token: { value: string; notBefore: string | null; expiresAt: string } }).token;

/** Where `issueStorefrontToken` sits in the ISSUE document. */
const LOCATIONS = [{ line: 3, column: 5 }];
const errorAnswer = (message: string, extensions: Record<string, unknown>) => ({
  data: null,
  errors: [{ message, locations: LOCATIONS, path: ['issueStorefrontToken'], extensions: { ...extensions, requestId: expect.any(String) } }],
});
const badInput = (field: string, reason: string) => errorAnswer(`${field}: ${reason}`, { code: 'BAD_USER_INPUT', field });
const FORBIDDEN_CUSTOMER = errorAnswer('Issuing a token by customer id needs a trusted caller (X-Gateway-Key).', { code: 'FORBIDDEN' });

describe('issueStorefrontToken with credentials', () => {
  const credentials = { email: buyer.email, password: buyer.password };

  it('issues a REST_CREDENTIALS token that expires at its exp claim', async () => {
    const reply = await issue({ credentials });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: {
        issueStorefrontToken: {
          token: expectedToken('REST_CREDENTIALS'),
        },
      },
    });
    const token = tokenOf(reply);
    const claims = decodeJwt(token.value);
    expect(claims).toMatchObject({ email: buyer.email, store_hash: 'sandbox', name: 'b2b-auth-gateway', channel_ids: [1] });
    expect(token.expiresAt).toBe(isoFromSeconds(claims.exp));
    expect(token.notBefore).toBe(isoFromSeconds(claims.nbf));
  });

  it('calls POST /api/io/auth/customers with the X-Auth-Token, the X-Store-Hash and the documented body', async () => {
    await issue({ credentials });

    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/io/auth/customers', query: {} });
    expect(request?.headers['x-auth-token']).toBe(harness.sandbox.authToken);
    expect(request?.headers['x-store-hash']).toBe('sandbox');
    expect(request?.body).toEqual({ storeHash: 'sandbox', email: buyer.email, password: buyer.password, channelId: 1, name: 'b2b-auth-gateway' });
  });

  it('sends beginAt/endAt as Unix seconds and answers them as notBefore/expiresAt', async () => {
    const beginAt = wholeSecondFromNow(HOUR_MS);
    const endAt = wholeSecondFromNow(3 * HOUR_MS);

    const reply = await issue({ credentials: { ...credentials, beginAt: beginAt.toISOString(), endAt: endAt.toISOString() } });

    expect(reply.body).toEqual({
      data: {
        issueStorefrontToken: {
          token: expectedToken('REST_CREDENTIALS', { notBefore: beginAt.toISOString(), expiresAt: endAt.toISOString() }),
        },
      },
    });
    expect(harness.sandbox.requests.map((r) => r.body)).toEqual([
      {
        storeHash: 'sandbox',
        email: buyer.email,
        password: buyer.password,
        channelId: 1,
        name: 'b2b-auth-gateway',
        beginAt: unixSeconds(beginAt),
        endAt: unixSeconds(endAt),
      },
    ]);
  });

  it('an endAt in the past answers BAD_USER_INPUT naming input.credentials.endAt, without calling the upstream', async () => {
    const reply = await issue({ credentials: { ...credentials, endAt: new Date(Date.now() - HOUR_MS).toISOString() } });

    expect(reply.body).toEqual(badInput('input.credentials.endAt', 'must be in the future'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('an endAt before beginAt answers BAD_USER_INPUT naming input.credentials.endAt, without calling the upstream', async () => {
    const reply = await issue({
      credentials: {
        ...credentials,
        beginAt: new Date(Date.now() + 3 * HOUR_MS).toISOString(),
        endAt: new Date(Date.now() + HOUR_MS).toISOString(),
      },
    });

    expect(reply.body).toEqual(badInput('input.credentials.endAt', 'must be after beginAt'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('a wrong password answers UNAUTHENTICATED with the generic message', async () => {
    const reply = await issue({ credentials: { ...credentials, password: 'wrong-Passw0rd!' } });

    expect(reply.body).toEqual(errorAnswer('Invalid email or password.', { code: 'UNAUTHENTICATED' }));
    expect(harness.sandbox.requests).toHaveLength(1);
  });
});

describe('issueStorefrontToken with a sessionJwt', () => {
  it('exchanges a Current Customer JWT for a REST_SESSION_JWT token', async () => {
    const jwtToken = await harness.sandbox.currentCustomerJwt(buyer.email);

    const reply = await issue({ sessionJwt: { jwtToken } });

    expect(reply.body).toEqual({
      data: {
        issueStorefrontToken: {
          // Channel 1 was not asked for: it is read back from the token's channel_ids claim.
          token: expectedToken('REST_SESSION_JWT'),
        },
      },
    });
    const token = tokenOf(reply);
    expect(token.expiresAt).toBe(isoFromSeconds(decodeJwt(token.value).exp));
  });

  it('calls GET /api/io/auth/storefront with the X-Store-Hash, no X-Auth-Token and no channelId when none is given', async () => {
    const jwtToken = await harness.sandbox.currentCustomerJwt(buyer.email);

    await issue({ sessionJwt: { jwtToken } });

    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'GET', path: '/api/io/auth/storefront', query: { jwtToken } });
    expect(request?.query).not.toHaveProperty('channelId');
    expect(request?.headers['x-store-hash']).toBe('sandbox');
    expect(request?.headers).not.toHaveProperty('x-auth-token');
  });

  it('passes a given channelId to GET /api/io/auth/storefront and answers it', async () => {
    const jwtToken = await harness.sandbox.currentCustomerJwt(buyer.email);

    const reply = await issue({ sessionJwt: { jwtToken, channelId: 3 } });

    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.['issueStorefrontToken']).toEqual({
      token: expect.objectContaining({ storeHash: 'sandbox', channelId: 3, via: 'REST_SESSION_JWT' }),
    });
    expect(harness.sandbox.requests.map((r) => r.query)).toEqual([{ jwtToken, channelId: '3' }]);
  });

  it('an expired Current Customer JWT answers UNAUTHENTICATED "Invalid or expired token."', async () => {
    const jwtToken = await harness.sandbox.currentCustomerJwt(buyer.email, { expiresInSeconds: -60 });

    const reply = await issue({ sessionJwt: { jwtToken } });

    expect(reply.body).toEqual(errorAnswer('Invalid or expired token.', { code: 'UNAUTHENTICATED' }));
    expect(harness.sandbox.requests).toHaveLength(1);
  });
});

describe('issueStorefrontToken for a customer id', () => {
  const trusted = { 'x-gateway-key': TRUSTED_KEY };

  it('without X-Gateway-Key answers FORBIDDEN and never reaches the upstream', async () => {
    const reply = await issue({ customer: { customerId: buyer.bcId } });

    expect(reply.body).toEqual(FORBIDDEN_CUSTOMER);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('with a wrong X-Gateway-Key answers FORBIDDEN and never reaches the upstream', async () => {
    const reply = await issue({ customer: { customerId: buyer.bcId } }, { 'x-gateway-key': `${TRUSTED_KEY}-not` });

    expect(reply.body).toEqual(FORBIDDEN_CUSTOMER);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('without X-Gateway-Key answers FORBIDDEN even for an invalid customerId', async () => {
    const reply = await issue({ customer: { customerId: 0 } });

    expect(reply.body).toEqual(FORBIDDEN_CUSTOMER);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('from a trusted caller issues a REST_CUSTOMER token through POST /api/io/auth/customers/storefront', async () => {
    const reply = await issue({ customer: { customerId: buyer.bcId } }, trusted);

    expect(reply.body).toEqual({
      data: {
        issueStorefrontToken: {
          token: expectedToken('REST_CUSTOMER', { notBefore: null }),
        },
      },
    });
    const token = tokenOf(reply);
    const claims = decodeJwt(token.value);
    expect(claims).toMatchObject({ email: buyer.email, bc_customer_id: buyer.bcId, store_hash: 'sandbox', bc_channel_id: 1 });
    expect(token.expiresAt).toBe(isoFromSeconds(claims.exp));

    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/io/auth/customers/storefront' });
    expect(request?.headers['x-auth-token']).toBe(harness.sandbox.authToken);
    expect(request?.headers['x-store-hash']).toBe('sandbox');
    expect(request?.headers).not.toHaveProperty('x-gateway-key');
    expect(request?.body).toEqual({ customerId: buyer.bcId, channelId: 1 });
  });

  it('from a trusted caller forwards the customer access token as {value, expires_at}', async () => {
    const expiresAt = wholeSecondFromNow(HOUR_MS).toISOString();

    const reply = await issue({ customer: { customerId: buyer.bcId, channelId: 2, customerAccessToken: { value: 'cat-123', expiresAt } } }, trusted);

    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.['issueStorefrontToken']).toEqual({
      token: expect.objectContaining({ channelId: 2, via: 'REST_CUSTOMER' }),
    });
    expect(harness.sandbox.requests.map((r) => r.body)).toEqual([
      { customerId: buyer.bcId, channelId: 2, customerAccessToken: { value: 'cat-123', expires_at: expiresAt } },
    ]);
  });

  it('from a trusted caller, an unknown customerId answers BAD_USER_INPUT naming input.customer.customerId', async () => {
    const reply = await issue({ customer: { customerId: 999_999 } }, trusted);

    expect(reply.body).toEqual(badInput('input.customer.customerId', 'no such customer in this store'));
    expect(harness.sandbox.requests).toHaveLength(1);
  });

  it('from a trusted caller, customerId 0 answers BAD_USER_INPUT without calling the upstream', async () => {
    const reply = await issue({ customer: { customerId: 0 } }, trusted);

    expect(reply.body).toEqual(badInput('input.customer.customerId', 'must be a positive integer'));
    expect(harness.sandbox.requests).toEqual([]);
  });
});

describe('issueStorefrontToken with not exactly one branch (@oneOf)', () => {
  const credentials = { email: buyer.email, password: buyer.password };

  // graphql-js refuses the variables before any resolver runs: HTTP 400, no `data`, and the
  // gateway labels the error BAD_USER_INPUT (with the echoed values removed).
  it.each([
    ['two branches', { credentials, sessionJwt: { jwtToken: 'a.b.c' } }],
    ['no branch', {}],
  ])('with %s answers a request error and never reaches the upstream', async (_case, input) => {
    const reply = await issue(input);

    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toEqual([
      {
        message: 'Variable "$input" got an invalid value: Exactly one key must be specified for OneOf type "IssueStorefrontTokenInput".',
        locations: [{ line: 2, column: 18 }],
        extensions: { code: 'BAD_USER_INPUT', requestId: expect.any(String) },
      },
    ]);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('with two branches as a literal answers GRAPHQL_VALIDATION_FAILED and never reaches the upstream', async () => {
    const reply = await harness.graphql(
      'mutation { issueStorefrontToken(input: {credentials: {email: "a@example.com", password: "x"}, sessionJwt: {jwtToken: "a.b.c"}}) { token { value } } }',
    );

    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      errors: [
        {
          message: 'OneOf Input Object "IssueStorefrontTokenInput" must specify exactly one key.',
          locations: [{ line: 1, column: 40 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) },
        },
      ],
    });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('with two branches does not echo the password back in the error', async () => {
    const reply = await issue({ credentials, sessionJwt: { jwtToken: 'a.b.c' } });

    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).not.toContain(buyer.password);
  });
});
