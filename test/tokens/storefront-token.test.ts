import { SignJWT, UnsecuredJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_LIFETIME_MS, type IssuedToken, type IssuedTokenInput, issuedToken } from '../../src/tokens/storefront-token.js';

const ISSUED_AT = new Date('2025-03-01T12:00:00.000Z');
const at = (iso: string) => new Date(iso);
const seconds = (iso: string) => Date.parse(iso) / 1000;

/** An unsigned JWT (`alg: none`) with these claims: the gateway reads claims without verifying. */
const unsigned = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode();

const base = (value: string, overrides: Partial<IssuedTokenInput> = {}): IssuedTokenInput => ({
  value,
  storeHash: 'abc123',
  via: 'REST_CREDENTIALS',
  issuedAt: ISSUED_AT,
  ...overrides,
});

describe('issuedToken: expiresAt', () => {
  it('is the exp claim, even when endAt was asked for', () => {
    const value = unsigned({ exp: seconds('2025-03-01T18:00:00Z') });
    expect(issuedToken(base(value, { endAt: at('2025-03-05T00:00:00Z') })).expiresAt).toEqual(at('2025-03-01T18:00:00Z'));
  });

  it('is endAt when the token has no exp claim', () => {
    expect(issuedToken(base(unsigned({ email: 'a@b.co' }), { endAt: at('2025-03-05T00:00:00Z') })).expiresAt).toEqual(at('2025-03-05T00:00:00Z'));
  });

  it('is endAt when the exp claim is not a number', () => {
    expect(issuedToken(base(unsigned({ exp: 'tomorrow' }), { endAt: at('2025-03-05T00:00:00Z') })).expiresAt).toEqual(at('2025-03-05T00:00:00Z'));
  });

  it('is issue time + 1 day with neither', () => {
    expect(DEFAULT_TOKEN_LIFETIME_MS).toBe(86_400_000);
    expect(issuedToken(base(unsigned({ email: 'a@b.co' }))).expiresAt).toEqual(at('2025-03-02T12:00:00.000Z'));
  });

  it('is issue time + 1 day for a value that is not a JWT at all', () => {
    expect(issuedToken(base('opaque-token-value')).expiresAt).toEqual(at('2025-03-02T12:00:00.000Z'));
  });

  it('is endAt for a value that is not a JWT at all', () => {
    expect(issuedToken(base('opaque-token-value', { endAt: at('2025-03-05T00:00:00Z') })).expiresAt).toEqual(at('2025-03-05T00:00:00Z'));
  });

  it('reads the claims of a signed token without its key', async () => {
    const value = await new SignJWT({ email: 'buyer@example.com', channel_ids: [3] })
      .setProtectedHeader({ alg: 'HS256' })
      .setNotBefore(seconds('2025-03-01T12:00:00Z'))
      .setExpirationTime(seconds('2025-03-02T12:00:00Z'))
      .sign(randomBytes(32));
    expect(issuedToken(base(value))).toEqual<IssuedToken>({
      value,
      storeHash: 'abc123',
      channelId: 3,
      notBefore: at('2025-03-01T12:00:00Z'),
      expiresAt: at('2025-03-02T12:00:00Z'),
      via: 'REST_CREDENTIALS',
    });
  });
});

describe('issuedToken: notBefore', () => {
  it('is the nbf claim, even when beginAt was asked for', () => {
    const value = unsigned({ nbf: seconds('2025-03-01T13:00:00Z') });
    expect(issuedToken(base(value, { beginAt: at('2025-03-01T14:00:00Z') })).notBefore).toEqual(at('2025-03-01T13:00:00Z'));
  });

  it('is beginAt when the token has no nbf claim', () => {
    expect(issuedToken(base(unsigned({}), { beginAt: at('2025-03-01T14:00:00Z') })).notBefore).toEqual(at('2025-03-01T14:00:00Z'));
  });

  it('is null with neither', () => {
    expect(issuedToken(base(unsigned({}))).notBefore).toBeNull();
  });
});

describe('issuedToken: channelId', () => {
  it.each<{ source: string; claims: Record<string, unknown>; channelId: number | undefined; expected: number | null }>([
    { source: 'the input, over channel_ids', claims: { channel_ids: [3, 4] }, channelId: 2, expected: 2 },
    { source: 'the input, over bc_channel_id', claims: { bc_channel_id: 5 }, channelId: 2, expected: 2 },
    { source: 'channel_ids[0] (storefront authToken)', claims: { channel_ids: [3, 4] }, channelId: undefined, expected: 3 },
    { source: 'bc_channel_id (customer-id token)', claims: { bc_channel_id: 5 }, channelId: undefined, expected: 5 },
    { source: 'channel_ids over bc_channel_id', claims: { channel_ids: [3], bc_channel_id: 5 }, channelId: undefined, expected: 3 },
    { source: 'nothing: null', claims: { email: 'a@b.co' }, channelId: undefined, expected: null },
    { source: 'an empty channel_ids: null', claims: { channel_ids: [] }, channelId: undefined, expected: null },
  ])('comes from $source', ({ claims, channelId, expected }) => {
    expect(issuedToken(base(unsigned(claims), { channelId })).channelId).toBe(expected);
  });
});

it('passes value, storeHash and via through unchanged', () => {
  const value = unsigned({ exp: seconds('2025-03-01T18:00:00Z') });
  expect(issuedToken({ value, storeHash: 'sandbox', via: 'GRAPHQL_LOGIN', channelId: 1, issuedAt: ISSUED_AT })).toEqual<IssuedToken>({
    value,
    storeHash: 'sandbox',
    channelId: 1,
    notBefore: null,
    expiresAt: at('2025-03-01T18:00:00Z'),
    via: 'GRAPHQL_LOGIN',
  });
});
