import { z } from 'zod';
import type { StoreConfig } from '../../config/stores.js';
import { CredentialsRejectedError, InputValidationError, TokenRejectedError, UpstreamHttpError } from '../../errors/gateway-errors.js';
import { fieldError, jwtString } from './envelope.js';
import type { RestClient } from './rest-client.js';

// Schemas of the documented success bodies' `data` (docs/upstream.md#rest-authentication-endpoints), built once.
const credentialsData = z.object({ name: z.string().optional(), token: jwtString });
const sessionJwtData = z.object({ token: jwtString });
// `token` is an array of strings for a customer id (docs/upstream.md#token-for-a-customer); a
// single string is accepted too, should the upstream ever answer like its sibling endpoints.
const customerData = z.object({
  token: z.union([z.array(jwtString).min(1).transform((tokens) => tokens[0] as string), jwtString]),
});

export interface CredentialsRequest {
  email: string;
  password: string;
  channelId: number;
  name: string;
  /** Unix seconds. */
  beginAt?: number;
  /** Unix seconds. */
  endAt?: number;
}

/** `POST /api/io/auth/customers`: a storefront authToken from a buyer's credentials (docs/upstream.md#token-from-credentials). */
export async function issueFromCredentials(rest: RestClient, store: StoreConfig, request: CredentialsRequest): Promise<string> {
  try {
    const data = await rest.call({
      method: 'POST',
      path: '/api/io/auth/customers',
      store,
      serverToken: true,
      body: { storeHash: store.storeHash, ...request },
      data: credentialsData,
    });
    return data.token;
  } catch (error) {
    throw refine(error, () => new CredentialsRejectedError('POST /api/io/auth/customers refused the credentials'), 'input.credentials');
  }
}

export interface SessionJwtRequest {
  jwtToken: string;
  /** Sent only when the caller named a channel: single-storefront stores misbehave with one (docs/upstream.md#token-from-a-session-jwt). */
  channelId?: number;
}

/** `GET /api/io/auth/storefront`: a storefront authToken from a Current Customer JWT (docs/upstream.md#token-from-a-session-jwt). */
export async function issueFromSessionJwt(rest: RestClient, store: StoreConfig, request: SessionJwtRequest): Promise<string> {
  try {
    const data = await rest.call({
      method: 'GET',
      path: '/api/io/auth/storefront',
      query: { jwtToken: request.jwtToken, channelId: request.channelId },
      store,
      serverToken: false,
      data: sessionJwtData,
    });
    return data.token;
  } catch (error) {
    // This endpoint takes no server token, so a 403 too can only be about the JWT.
    throw refine(error, () => new TokenRejectedError('GET /api/io/auth/storefront refused the session JWT'), 'input.sessionJwt', [400, 401, 403]);
  }
}

export interface CustomerRequest {
  customerId: number;
  channelId: number;
  customerAccessToken?: { value: string; expiresAt: Date };
}

/** `POST /api/io/auth/customers/storefront`: a storefront token for a customer id (docs/upstream.md#token-for-a-customer). Trusted callers only. */
export async function issueForCustomer(rest: RestClient, store: StoreConfig, request: CustomerRequest): Promise<string> {
  try {
    const data = await rest.call({
      method: 'POST',
      path: '/api/io/auth/customers/storefront',
      store,
      serverToken: true,
      body: {
        customerId: request.customerId,
        channelId: request.channelId,
        ...(request.customerAccessToken && {
          customerAccessToken: { value: request.customerAccessToken.value, expires_at: request.customerAccessToken.expiresAt.toISOString() },
        }),
      },
      data: customerData,
    });
    return data.token;
  } catch (error) {
    // A 404 with a B2B envelope is about the customer; a bare 404 page means a wrong base URL.
    if (error instanceof UpstreamHttpError && error.status === 404 && error.upstreamMessage !== undefined) {
      throw new InputValidationError('input.customer.customerId', 'no such customer in this store');
    }
    throw refine(error, () => new InputValidationError('input.customer', 'BigCommerce refused to issue a token for this customer'), 'input.customer');
  }
}

/**
 * Turns the 4xx answers that mean "the caller's proof was refused" into `rejected`, and 422
 * into a validation error naming the field. Everything else passes through: a 403 from an
 * endpoint that takes the X-Auth-Token means the gateway's own token was refused, which is an
 * operator's problem, logged and masked.
 */
function refine(error: unknown, rejected: () => Error, inputPath: string, rejectedStatuses: readonly number[] = [400, 401]): unknown {
  if (!(error instanceof UpstreamHttpError)) return error;
  if (rejectedStatuses.includes(error.status)) return rejected();
  if (error.status === 422) return fieldError(error, inputPath);
  return error;
}
