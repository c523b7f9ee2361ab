import type { TokenSource } from '../generated/resolvers-types.js';
import { channelClaims, dateClaim, readClaims } from './claims.js';

/** BigCommerce's default validity of a storefront authToken (docs/upstream.md#tokens). */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** A storefront authToken as the gateway answers it (the `StorefrontToken` type). */
export interface IssuedToken {
  value: string;
  storeHash: string;
  channelId: number | null;
  notBefore: Date | null;
  expiresAt: Date;
  via: TokenSource;
}

export interface IssuedTokenInput {
  value: string;
  storeHash: string;
  via: TokenSource;
  /** The channel asked for, if any. */
  channelId?: number | undefined;
  /** The validity window asked for, if any. */
  beginAt?: Date | undefined;
  endAt?: Date | undefined;
  /** When the upstream answered. */
  issuedAt: Date;
}

/**
 * No upstream answer carries an expiry (docs/upstream.md#expiry): `expiresAt` is the token's
 * `exp` claim when readable, else the requested `endAt`, else issue time plus one day.
 */
export function issuedToken(input: IssuedTokenInput): IssuedToken {
  const claims = readClaims(input.value) ?? {};
  return {
    value: input.value,
    storeHash: input.storeHash,
    channelId: input.channelId ?? channelClaims(claims)[0] ?? null,
    notBefore: dateClaim(claims, 'nbf') ?? input.beginAt ?? null,
    expiresAt: dateClaim(claims, 'exp') ?? input.endAt ?? new Date(input.issuedAt.getTime() + DEFAULT_TOKEN_LIFETIME_MS),
    via: input.via,
  };
}
