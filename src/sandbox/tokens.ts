// Minting and verifying the upstream's JWTs (docs/upstream.md#tokens). Per-instance random
// secrets, as upstream: B2B Edition signs its own tokens (storefront authTokens,
// server-to-server tokens) with one; the B2B Edition *app client secret* signs what crosses to
// the storefront (the Current Customer JWT BigCommerce issues to the app, and the
// `storefrontLoginToken`); a third stands for BigCommerce's own key, which signs Storefront API
// tokens.
import { randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

/** B2B Edition's public app client id (from BigCommerce's docs); the Current Customer JWT's `aud`. */
export const B2B_APP_CLIENT_ID = 'dl7c39mdpul6hyc489yk0vzxl6jesyx';

const DAY_SECONDS = 86_400;
const CURRENT_CUSTOMER_TTL_SECONDS = 900;
/** Storefront authToken `token_type`, as in the upstream's documented example token. */
const STOREFRONT_TOKEN_TYPE = 3;

export type VerifyFailure = 'malformed' | 'expired' | 'invalid';
export type VerifyResult<T> = { ok: true; value: T } | { ok: false; reason: VerifyFailure };

export interface CurrentCustomerClaims {
  customerId: number;
  email: string;
}

export class TokenService {
  readonly #storeHash: string;
  readonly #now: () => number;
  readonly #b2bSecret = randomBytes(32);
  readonly #appClientSecret = randomBytes(32);
  readonly #bigCommerceSecret = randomBytes(32);
  /** `jti`s of the storefront tokens this instance issued: only those authenticate GraphQL calls. */
  readonly #storefrontTokenIds = new Set<string>();
  /** `jti`s of the customer login tokens already used: each signs a shopper in once. */
  readonly #redeemedLoginTokenIds = new Set<string>();

  constructor(storeHash: string, now: () => number) {
    this.#storeHash = storeHash;
    this.#now = now;
  }

  nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }

  /** A storefront authToken: `{email, store_hash, db, name, channel_ids, token_type, nbf, exp}`. */
  async storefrontAuthToken(input: {
    email: string;
    name: string;
    channelId: number;
    beginAt?: number | undefined;
    endAt?: number | undefined;
  }): Promise<string> {
    const iat = this.nowSeconds();
    const nbf = input.beginAt ?? iat;
    return this.#signStorefront({
      email: input.email,
      store_hash: this.#storeHash,
      db: 'default',
      name: input.name,
      channel_ids: [input.channelId],
      token_type: STOREFRONT_TOKEN_TYPE,
      nbf,
      exp: input.endAt ?? nbf + DAY_SECONDS,
      iat,
    });
  }

  /** The customer-id token (docs/upstream.md#tokens): `{email, bc_customer_id, store_hash, db, bc_channel_id, exp}`. */
  async b2bStorefrontToken(input: { email: string; bcCustomerId: number; channelId: number }): Promise<string> {
    const iat = this.nowSeconds();
    return this.#signStorefront({
      email: input.email,
      bc_customer_id: input.bcCustomerId,
      store_hash: this.#storeHash,
      db: 'default',
      bc_channel_id: input.channelId,
      exp: iat + DAY_SECONDS,
      iat,
    });
  }

  /** A server-to-server token: `{email, store_hash, db}`, no expiry. */
  async serverToServerToken(email: string): Promise<string> {
    return this.#sign({ email, store_hash: this.#storeHash, db: 'default', iat: this.nowSeconds() }, this.#b2bSecret);
  }

  /** What the store's `/customer/current.jwt?app_client_id=…` answers for a signed-in shopper. */
  async currentCustomerJwt(
    customer: { id: number; email: string; groupId: string },
    expiresInSeconds = CURRENT_CUSTOMER_TTL_SECONDS,
  ): Promise<string> {
    const iat = this.nowSeconds();
    return this.#sign(
      {
        customer: { id: customer.id, email: customer.email, group_id: customer.groupId },
        iss: 'bc/apps',
        iat,
        exp: iat + expiresInSeconds,
        aud: B2B_APP_CLIENT_ID,
        store_hash: this.#storeHash,
        operation: 'current_customer',
      },
      this.#appClientSecret,
    );
  }

  /**
   * The JWT for BigCommerce's Customer Login endpoint (`GET /login/token/{jwt}`); `redirectTo`, a
   * storefront path, is where the shopper lands once signed in.
   */
  async storefrontLoginToken(input: { bcCustomerId: number; channelId: number; redirectTo?: string }): Promise<string> {
    return this.#sign(
      {
        iss: B2B_APP_CLIENT_ID,
        iat: this.nowSeconds(),
        operation: 'customer_login',
        store_hash: this.#storeHash,
        customer_id: input.bcCustomerId,
        channel_id: input.channelId,
        ...(input.redirectTo !== undefined && { redirect_to: input.redirectTo }),
      },
      this.#appClientSecret,
    );
  }

  /**
   * Verifies a customer login JWT and uses it up, as BigCommerce's storefront does: a second
   * attempt with the same token is refused.
   */
  async redeemStorefrontLoginToken(token: string): Promise<VerifyResult<{ customerId: number; redirectTo: string | undefined }>> {
    const verified = await this.#verify(token, this.#appClientSecret, { issuer: B2B_APP_CLIENT_ID });
    if (!verified.ok) return verified;
    const { jti, operation, store_hash: storeHash, customer_id: customerId, redirect_to: redirectTo } = verified.value;
    if (operation !== 'customer_login' || storeHash !== this.#storeHash || typeof customerId !== 'number') return { ok: false, reason: 'invalid' };
    if (typeof jti !== 'string' || this.#redeemedLoginTokenIds.has(jti)) return { ok: false, reason: 'invalid' };
    this.#redeemedLoginTokenIds.add(jti);
    return { ok: true, value: { customerId, redirectTo: typeof redirectTo === 'string' ? redirectTo : undefined } };
  }

  /**
   * A BigCommerce GraphQL Storefront API token, with the claims of BigCommerce's own:
   * `{cid, cors, eat, iat, iss, sub, sub_type, token_type}` (`eat`: expiry, Unix seconds).
   */
  async storefrontApiToken(input: { channelId: number; expiresAt: number; allowedCorsOrigins: readonly string[] }): Promise<string> {
    return this.#sign(
      {
        cid: [input.channelId],
        cors: [...input.allowedCorsOrigins],
        eat: input.expiresAt,
        iat: this.nowSeconds(),
        iss: 'BC',
        sub: this.#storeHash,
        sub_type: 2,
        token_type: 1,
      },
      this.#bigCommerceSecret,
    );
  }

  /** Verifies a storefront authToken (or customer-id token) this instance issued; yields its email and channel. */
  async verifyStorefrontToken(token: string): Promise<VerifyResult<{ email: string; channelId: number }>> {
    const verified = await this.#verify(token, this.#b2bSecret);
    if (!verified.ok) return verified;
    const { jti, email, store_hash: storeHash, channel_ids: channelIds, bc_channel_id: bcChannelId } = verified.value;
    if (typeof jti !== 'string' || !this.#storefrontTokenIds.has(jti)) return { ok: false, reason: 'invalid' };
    if (typeof email !== 'string' || storeHash !== this.#storeHash) return { ok: false, reason: 'invalid' };
    const channel = Array.isArray(channelIds) ? channelIds[0] : bcChannelId;
    return { ok: true, value: { email, channelId: typeof channel === 'number' ? channel : 1 } };
  }

  /** Verifies a Current Customer JWT: signature, expiry, audience, store and operation. */
  async verifyCurrentCustomerJwt(token: string): Promise<VerifyResult<CurrentCustomerClaims>> {
    const verified = await this.#verify(token, this.#appClientSecret, { audience: B2B_APP_CLIENT_ID, issuer: 'bc/apps' });
    if (!verified.ok) return verified;
    const { customer, store_hash: storeHash, operation } = verified.value;
    if (storeHash !== this.#storeHash || operation !== 'current_customer') return { ok: false, reason: 'invalid' };
    if (typeof customer !== 'object' || customer === null) return { ok: false, reason: 'invalid' };
    const { id, email } = customer as Record<string, unknown>;
    if (typeof id !== 'number' || typeof email !== 'string') return { ok: false, reason: 'invalid' };
    return { ok: true, value: { customerId: id, email } };
  }

  async #signStorefront(claims: JWTPayload): Promise<string> {
    const jti = randomUUID();
    this.#storefrontTokenIds.add(jti);
    return this.#sign({ ...claims, jti }, this.#b2bSecret);
  }

  async #sign(claims: JWTPayload, secret: Uint8Array): Promise<string> {
    // A jti makes every token distinct even when two are minted within the same second.
    return new SignJWT({ jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
  }

  async #verify(
    token: string,
    secret: Uint8Array,
    expect: { audience?: string; issuer?: string } = {},
  ): Promise<VerifyResult<JWTPayload>> {
    if (!isWellFormedJwt(token)) return { ok: false, reason: 'malformed' };
    try {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        currentDate: new Date(this.#now()),
        ...expect,
      });
      return { ok: true, value: payload };
    } catch (error) {
      return { ok: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }
}

/** Three base64url segments whose header and payload decode to JSON objects. */
export function isWellFormedJwt(token: string): boolean {
  try {
    decodeProtectedHeader(token);
    decodeJwt(token);
    return token.split('.').length === 3;
  } catch {
    return false;
  }
}

/** The `store_hash` claim of a token, read without verification (for rate-limit bucketing only). */
export function unverifiedStoreHash(token: string): string | undefined {
  try {
    const claim = decodeJwt(token)['store_hash'];
    return typeof claim === 'string' ? claim : undefined;
  } catch {
    return undefined;
  }
}
