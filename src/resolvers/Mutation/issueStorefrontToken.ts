import { InputValidationError } from '../../errors/gateway-errors.js';
import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { customerInput, sessionJwtInput, validateCredentials } from '../../inputs/schemas.js';
import { validateInput } from '../../inputs/validate.js';
import { issuedToken } from '../../tokens/storefront-token.js';
import { requireTrustedCaller } from '../../access/trusted-callers.js';
import { issueForCustomer, issueFromCredentials, issueFromSessionJwt } from '../../upstream/rest/storefront-auth.js';

/** The token name BigCommerce records when the caller gives none. */
const DEFAULT_TOKEN_NAME = 'b2b-auth-gateway';

const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** `issueStorefrontToken`: the REST auth endpoints (docs/upstream.md#rest-authentication-endpoints), one per `@oneOf` branch. */
export const issueStorefrontToken: NonNullable<MutationResolvers['issueStorefrontToken']> = async (_parent, args, context) => {
  const { rest } = context.upstream;
  const now = context.now();

  if (args.input.credentials != null) {
    const input = validateCredentials(args.input.credentials, 'input.credentials', now);
    const store = context.stores.resolve(input.storeHash, input.channelId);
    const channelId = input.channelId ?? store.defaultChannelId;
    const attempt = { address: context.clientAddress, trusted: context.trusted, storeHash: store.storeHash, email: input.email };
    const value = await context.credentialLimiter.attempt(attempt, () =>
      issueFromCredentials(rest, store, {
        email: input.email,
        password: input.password,
        channelId,
        name: input.name ?? DEFAULT_TOKEN_NAME,
        ...(input.beginAt && { beginAt: unixSeconds(input.beginAt) }),
        ...(input.endAt && { endAt: unixSeconds(input.endAt) }),
      }),
    );
    return {
      token: issuedToken({ value, storeHash: store.storeHash, channelId, beginAt: input.beginAt, endAt: input.endAt, via: 'REST_CREDENTIALS', issuedAt: now }),
    };
  }

  if (args.input.sessionJwt != null) {
    const input = validateInput(sessionJwtInput, args.input.sessionJwt, 'input.sessionJwt');
    const store = context.stores.resolve(input.storeHash, input.channelId);
    // No default channel here: single-storefront stores misbehave with one (docs/upstream.md#token-from-a-session-jwt).
    const attempt = { address: context.clientAddress, trusted: context.trusted, storeHash: store.storeHash, jwt: input.jwtToken };
    const value = await context.credentialLimiter.attempt(attempt, () =>
      issueFromSessionJwt(rest, store, { jwtToken: input.jwtToken, ...(input.channelId && { channelId: input.channelId }) }),
    );
    return { token: issuedToken({ value, storeHash: store.storeHash, channelId: input.channelId, via: 'REST_SESSION_JWT', issuedAt: now }) };
  }

  if (args.input.customer != null) {
    // Anyone who reaches this endpoint can mint a token for any customer
    // (docs/upstream.md#token-for-a-customer): checked first, before the input is even looked at.
    requireTrustedCaller(context, 'Issuing a token by customer id');
    const input = validateInput(customerInput, args.input.customer, 'input.customer');
    const store = context.stores.resolve(input.storeHash, input.channelId);
    const channelId = input.channelId ?? store.defaultChannelId;
    const value = await issueForCustomer(rest, store, {
      customerId: input.customerId,
      channelId,
      ...(input.customerAccessToken && { customerAccessToken: input.customerAccessToken }),
    });
    return { token: issuedToken({ value, storeHash: store.storeHash, channelId, via: 'REST_CUSTOMER', issuedAt: now }) };
  }

  // graphql-js enforces @oneOf; this guards a schema built without it.
  throw new InputValidationError('input', 'exactly one of credentials, sessionJwt or customer must be given');
};
