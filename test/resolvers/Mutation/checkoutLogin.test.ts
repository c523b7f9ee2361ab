import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness, withoutRequestIds } from '../../harness.js';
import { tamperSignature } from '../../support/jwt.js';
import { type Account, bearer, CART_ID, CHECKOUT_LOGIN, tokenOf, upstreamCalls, upstreamOperations } from '../../support/session.js';

const harness = useHarness();
const tokens = {} as Record<Account, string>;
beforeAll(async () => {
  for (const account of ['buyer', 'shopper'] as const) tokens[account] = await tokenOf(harness, account);
});

const checkout = async (cartId: unknown, headers: Record<string, string> = {}) => {
  const reply = await harness.graphql(CHECKOUT_LOGIN, { cartId }, headers);
  return { ...reply, body: withoutRequestIds(reply.body) };
};

const failed = (code: string, message: string, extensions: Record<string, unknown> = {}) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['checkoutLogin'], extensions: { ...extensions, code } }],
});

const redirectUrlOf = (body: { data?: Record<string, unknown> | null }) => (body.data?.['checkoutLogin'] as { redirectUrl: string }).redirectUrl;

describe('checkoutLogin', () => {
  it("answers BigCommerce's redirect URL from one upstream request carrying only the buyer's token", async () => {
    const reply = await checkout(CART_ID, bearer(tokens.buyer));

    expect(reply.body).toEqual({ data: { checkoutLogin: { redirectUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/login\/token\/[\w-]+\.[\w-]+\.[\w-]+$/) } } });
    expect(redirectUrlOf(reply.body).startsWith(`${harness.sandbox.storefrontUrl}/login/token/`)).toBe(true);
    expect(upstreamCalls(harness.sandbox)).toEqual([
      { method: 'POST', path: '/graphql', operationName: 'CheckoutLogin', variables: { cartData: { cartId: CART_ID } }, authorization: 'Bearer <redacted>', xAuthToken: false },
    ]);
    expect(harness.sandbox.requests[0]?.headers['authorization']).toBe(`Bearer ${tokens.buyer}`);
  });

  it('hands a working link: the storefront signs the buyer in once and opens checkout with the cart', async () => {
    const redirectUrl = redirectUrlOf((await checkout(CART_ID, bearer(tokens.shopper))).body);

    const first = await fetch(redirectUrl, { redirect: 'manual' });
    const second = await fetch(redirectUrl, { redirect: 'manual' });

    expect({ status: first.status, location: first.headers.get('location') }).toEqual({ status: 302, location: `/cart.php?action=loadInCheckout&id=${CART_ID}` });
    expect(second.status).toBe(401);
  });

  it('sends the cart id without the white space around it', async () => {
    await checkout(`  ${CART_ID}\n`, bearer(tokens.buyer));

    expect(harness.sandbox.requests[0]?.body).toMatchObject({ variables: { cartData: { cartId: CART_ID } } });
  });

  it.each([
    ['an empty cart id', '', 'cartId: must not be blank'],
    ['a blank cart id', ' \t ', 'cartId: must not be blank'],
    ['a cart id of 256 characters', 'c'.repeat(256), 'cartId: must be at most 255 characters'],
  ])('answers BAD_USER_INPUT for %s, without calling BigCommerce', async (_name, cartId, message) => {
    const reply = await checkout(cartId, bearer(tokens.buyer));

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', message, { field: 'cartId' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it("answers BAD_USER_INPUT for a cart BigCommerce refuses, without its message", async () => {
    const reply = await checkout('no-such-cart', bearer(tokens.buyer));

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', 'cartId: BigCommerce refused checkout for this cart', { field: 'cartId' }));
    expect(upstreamOperations(harness.sandbox)).toEqual(['CheckoutLogin']);
  });

  it('answers UNAUTHENTICATED before BAD_USER_INPUT: no header and a blank cart id', async () => {
    const reply = await checkout('  ');

    expect(reply.body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each([
    ['another scheme', { authorization: 'Basic YnV5ZXI6cGFzcw==' }],
    ['a token that is not a JWT', { authorization: 'Bearer cart-owner' }],
  ])('answers UNAUTHENTICATED for %s, without calling BigCommerce', async (_name, headers) => {
    expect((await checkout(CART_ID, headers)).body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers UNAUTHENTICATED for a token BigCommerce refuses', async () => {
    expect((await checkout(CART_ID, bearer(tamperSignature(tokens.buyer)))).body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(upstreamOperations(harness.sandbox)).toEqual(['CheckoutLogin']);
  });

  it('answers UPSTREAM_BAD_RESPONSE for an answer without a redirect URL', async () => {
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: '{"data":{"checkoutLogin":{"result":{"redirectUrl":null}}}}', times: 1 });

    expect((await checkout(CART_ID, bearer(tokens.buyer))).body).toEqual(failed('UPSTREAM_BAD_RESPONSE', 'BigCommerce answered in an unexpected shape.'));
  });

  it('never writes the redirect link into the log', async () => {
    const mark = harness.logs.length;

    const redirectUrl = redirectUrlOf((await checkout(CART_ID, bearer(tokens.buyer))).body);
    await checkout('no-such-cart', bearer(tokens.buyer));

    const lines = harness.logs.slice(mark).join('\n');
    expect(lines).toContain('checkoutLogin');
    expect(lines).not.toContain(redirectUrl.split('/').at(-1)?.split('.')[2]);
    expect(lines).not.toContain(tokens.buyer.split('.')[2]);
  });
});
