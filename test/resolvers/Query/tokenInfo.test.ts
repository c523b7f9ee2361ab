import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { ISSUE, TOKEN_INFO, useHarness } from '../../harness.js';
import { isoFromSeconds } from '../../support/jwt.js';

const harness = useHarness();
let issuedToken: string;
beforeAll(async () => {
  const reply = await harness.graphql(ISSUE, { input: { credentials: { email: buyer.email, password: buyer.password } } });
  issuedToken = (reply.body.data?.['issueStorefrontToken'] as { token: { value: string } }).token.value;
});

const { buyer } = SANDBOX_USERS;
const tokenInfo = (token: string) => harness.graphql(TOKEN_INFO, { token });

/** Where `tokenInfo` sits in the TOKEN_INFO document. */
const LOCATIONS = [{ line: 3, column: 5 }];

describe('tokenInfo', () => {
  it('decodes an issued storefront token without verifying it and without calling the upstream', async () => {
    const claims = decodeJwt(issuedToken);

    const reply = await tokenInfo(issuedToken);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: {
        tokenInfo: {
          storeHash: 'sandbox',
          email: buyer.email,
          customerId: null,
          channelIds: [1],
          issuedAt: isoFromSeconds(claims.iat),
          notBefore: isoFromSeconds(claims.nbf),
          expiresAt: isoFromSeconds(claims.exp),
          expired: false,
          signatureVerified: false,
          claims: {
            email: buyer.email,
            store_hash: 'sandbox',
            db: 'default',
            name: 'b2b-auth-gateway',
            channel_ids: [1],
            token_type: 3,
            nbf: claims.nbf,
            exp: claims.exp,
            iat: claims.iat,
            jti: expect.any(String),
          },
        },
      },
    });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('accepts the token with a "Bearer " prefix', async () => {
    const plain = await tokenInfo(issuedToken);

    const prefixed = await tokenInfo(`Bearer ${issuedToken}`);

    expect(prefixed.body.errors).toBeUndefined();
    expect(prefixed.body).toEqual(plain.body);
  });

  it('reads an expired Current Customer JWT: expired true, customer id and email from its customer claim', async () => {
    const jwt = await harness.sandbox.currentCustomerJwt(buyer.email, { expiresInSeconds: -60 });
    const claims = decodeJwt(jwt);

    const reply = await tokenInfo(jwt);

    expect(reply.body).toEqual({
      data: {
        tokenInfo: {
          storeHash: 'sandbox',
          email: buyer.email,
          customerId: buyer.bcId,
          channelIds: [],
          issuedAt: isoFromSeconds(claims.iat),
          notBefore: null,
          expiresAt: isoFromSeconds(claims.exp),
          expired: true,
          signatureVerified: false,
          claims: {
            customer: { id: buyer.bcId, email: buyer.email, group_id: '1' },
            iss: 'bc/apps',
            iat: claims.iat,
            exp: claims.exp,
            aud: expect.any(String),
            store_hash: 'sandbox',
            operation: 'current_customer',
            jti: expect.any(String),
          },
        },
      },
    });
  });

  it('answers null for a string that is not a JWT', async () => {
    const reply = await tokenInfo('not-a-jwt');

    expect(reply.body).toEqual({ data: { tokenInfo: null } });
  });

  it.each([
    ['an empty token', ''],
    ['a bare "Bearer " prefix', 'Bearer '],
  ])('answers BAD_USER_INPUT naming the token for %s', async (_case, token) => {
    const reply = await tokenInfo(token);

    expect(reply.body).toEqual({
      data: { tokenInfo: null },
      errors: [
        {
          message: 'token: must not be empty',
          locations: LOCATIONS,
          path: ['tokenInfo'],
          extensions: { code: 'BAD_USER_INPUT', field: 'token', requestId: expect.any(String) },
        },
      ],
    });
  });
});
