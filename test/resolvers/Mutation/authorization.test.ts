import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { AUTHORIZATION, expectedToken, useHarness } from '../../harness.js';
import { isoFromSeconds, tamperSignature } from '../../support/jwt.js';

const harness = useHarness();

const { buyer } = SANDBOX_USERS;
const authorize = (input: Record<string, unknown>) => harness.graphql(AUTHORIZATION, { input });

/** Where `authorization` sits in the AUTHORIZATION document. */
const LOCATIONS = [{ line: 3, column: 5 }];
const INVALID_TOKEN = {
  message: 'Invalid or expired token.',
  locations: LOCATIONS,
  path: ['authorization'],
  extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) },
};

describe('authorization', () => {
  it('exchanges a valid Current Customer JWT for a storefront token with the buyer\'s permissions', async () => {
    const bcToken = await harness.sandbox.currentCustomerJwt(buyer.email);

    const reply = await authorize({ bcToken });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: {
        authorization: {
          token: expectedToken('GRAPHQL_AUTHORIZATION'),
          permissions: [
            { code: 'get_orders', permissionLevel: 2 },
            { code: 'get_quotes', permissionLevel: 2 },
            { code: 'create_shopping_list', permissionLevel: 2 },
            { code: 'purchase_enable', permissionLevel: 1 },
          ],
        },
      },
    });
    const token = (reply.body.data?.['authorization'] as { token: { value: string; expiresAt: string } }).token;
    const claims = decodeJwt(token.value);
    expect(claims).toMatchObject({ email: buyer.email, store_hash: 'sandbox', channel_ids: [1] });
    expect(token.expiresAt).toBe(isoFromSeconds(claims.exp));
  });

  it('sends the Current Customer JWT anonymously to POST /graphql, without the X-Auth-Token', async () => {
    const bcToken = await harness.sandbox.currentCustomerJwt(buyer.email);

    await authorize({ bcToken });

    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/graphql' });
    expect(request?.headers).not.toHaveProperty('x-auth-token');
    expect(request?.headers['authorization']).toBeUndefined();
    expect(request?.body).toMatchObject({ variables: { authData: { bcToken, channelId: 1 } } });
  });

  it('an expired Current Customer JWT answers UNAUTHENTICATED "Invalid or expired token."', async () => {
    const bcToken = await harness.sandbox.currentCustomerJwt(buyer.email, { expiresInSeconds: -60 });

    const reply = await authorize({ bcToken });

    expect(reply.body).toEqual({ data: null, errors: [INVALID_TOKEN] });
    expect(harness.sandbox.requests).toHaveLength(1);
  });

  it('a string that is not a JWT answers UNAUTHENTICATED "Invalid or expired token."', async () => {
    const reply = await authorize({ bcToken: 'not-a-jwt' });

    expect(reply.body).toEqual({ data: null, errors: [INVALID_TOKEN] });
  });

  it('a JWT with a tampered signature answers UNAUTHENTICATED "Invalid or expired token."', async () => {
    const bcToken = tamperSignature(await harness.sandbox.currentCustomerJwt(buyer.email));

    const reply = await authorize({ bcToken });

    expect(reply.body).toEqual({ data: null, errors: [INVALID_TOKEN] });
  });

  it('an empty bcToken answers BAD_USER_INPUT naming input.bcToken, without calling the upstream', async () => {
    const reply = await authorize({ bcToken: '' });

    expect(reply.body).toEqual({
      data: null,
      errors: [
        {
          message: 'input.bcToken: must not be empty',
          locations: LOCATIONS,
          path: ['authorization'],
          extensions: { code: 'BAD_USER_INPUT', field: 'input.bcToken', requestId: expect.any(String) },
        },
      ],
    });
    expect(harness.sandbox.requests).toEqual([]);
  });
});
