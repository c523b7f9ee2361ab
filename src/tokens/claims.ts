import { decodeJwt } from 'jose';

/**
 * A JWT's claims, decoded WITHOUT verifying the signature: the gateway does not hold
 * BigCommerce's signing keys. Good for display and for reading an expiry; never for deciding
 * who someone is.
 */
export type TokenClaims = Readonly<Record<string, unknown>>;

/** Decodes a JWT's payload, or `undefined` when the string is not a JWT with a JSON payload. */
export function readClaims(token: string): TokenClaims | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** A NumericDate claim (`exp`, `nbf`, `iat`) as a Date. */
export function dateClaim(claims: TokenClaims, name: 'exp' | 'nbf' | 'iat'): Date | undefined {
  const value = claims[name];
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : undefined;
}

/** The channels a token names: `channel_ids` (storefront authToken) or `bc_channel_id` (the customer-id token, docs/upstream.md#tokens). */
export function channelClaims(claims: TokenClaims): number[] {
  const list = claims['channel_ids'];
  if (Array.isArray(list)) return list.map(Number).filter((id) => Number.isInteger(id));
  const single = Number(claims['bc_channel_id']);
  return Number.isInteger(single) && claims['bc_channel_id'] !== undefined ? [single] : [];
}

/** The customer a token names, from its flat claims or the Current Customer JWT's `customer` object. */
export function customerClaims(claims: TokenClaims): { email: string | undefined; customerId: number | undefined } {
  const customer = typeof claims['customer'] === 'object' && claims['customer'] !== null ? (claims['customer'] as Record<string, unknown>) : {};
  const email = claims['email'] ?? customer['email'];
  const customerId = Number(claims['bc_customer_id'] ?? customer['id']);
  return {
    email: typeof email === 'string' ? email : undefined,
    customerId: Number.isInteger(customerId) ? customerId : undefined,
  };
}
