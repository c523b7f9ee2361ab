import { createHmac } from 'node:crypto';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * An HS256 JWT with the given claims, signed with a throw-away key: valid-looking to anything
 * that decodes it (the gateway reads `exp`, `nbf`, `channel_ids`, `customer.email` without
 * verifying the signature).
 */
export function benchJwt(claims: Record<string, unknown>): string {
  const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', 'bench-signing-key-not-a-secret').update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}

/** Unix seconds, `offsetSeconds` from now. */
export const unixIn = (offsetSeconds: number) => Math.floor(Date.now() / 1000) + offsetSeconds;
