import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { readClaims } from '../../src/tokens/claims.js';

const segment = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const HEADER = segment(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
/** A compact JWS whose payload segment is `payload`, base64url-encoded as it is. */
const withPayload = (payload: string) => `${HEADER}.${segment(payload)}.c2lnbmF0dXJl`;

describe('readClaims', () => {
  it('reads the claims of a signed and of an unsigned JWT', async () => {
    const claims = { email: 'buyer@example.com', store_hash: 'abc123', channel_ids: [1, 2], exp: 1_900_000_000, customer: { id: 7 } };
    const signed = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
    const unsigned = new UnsecuredJWT(claims).encode();
    for (const token of [signed, unsigned]) {
      expect(readClaims(token)).toEqual(claims);
    }
  });

  it('decodes UTF-8 and the characters base64url has instead of + and /', () => {
    // "~~~" and "???" encode to "fn5-" and "Pz8_": the two characters base64url swaps in.
    const claims = { name: 'Zoë Ångström 山田', note: '~~~???' };
    const token = withPayload(JSON.stringify(claims));
    expect(token).toMatch(/[-_]/);
    expect(readClaims(token)).toEqual(claims);
  });

  it('tolerates the padding RFC 7515 leaves out', () => {
    const unpadded = segment(JSON.stringify({ a: 1 }));
    expect(unpadded.length % 4).not.toBe(0);
    const padded = unpadded.padEnd(Math.ceil(unpadded.length / 4) * 4, '=');
    expect(readClaims(`${HEADER}.${padded}.sig`)).toEqual({ a: 1 });
  });

  it.each([
    ['an empty string', ''],
    ['no dots', 'not-a-jwt'],
    ['two segments', `${HEADER}.${segment('{"a":1}')}`],
    ['five segments (a JWE)', `${HEADER}.${segment('{"a":1}')}.a.b.c`],
    ['an empty payload', `${HEADER}..sig`],
    ['a payload that is not base64url', `${HEADER}.eyJh*IjoxfQ.sig`],
    ['a payload that is base64, not base64url', `${HEADER}.${Buffer.from('{"a":"~~~???"}').toString('base64')}.sig`],
    ['a payload that is not JSON', withPayload('not json')],
    ['a JSON array', withPayload('[1,2]')],
    ['a JSON number', withPayload('42')],
    ['a JSON string', withPayload('"claims"')],
    ['JSON null', withPayload('null')],
  ])('is undefined for %s', (_case, token) => {
    expect(readClaims(token)).toBeUndefined();
  });
});
