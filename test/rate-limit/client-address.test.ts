import type { YogaInitialContext } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { clientAddressOf } from '../../src/rate-limit/client-address.js';

/** Yoga's initial context as `createServer(yoga)` builds it: the Fetch request plus Node's `req`. */
function initial(peer: string | undefined, headers: Record<string, string> = {}): YogaInitialContext {
  return {
    request: new Request('http://gateway/graphql', { method: 'POST', headers }),
    params: {},
    ...(peer !== undefined && { req: { socket: { remoteAddress: peer } } }),
  } as unknown as YogaInitialContext;
}

describe('clientAddressOf', () => {
  it('is the TCP peer, with IPv4-mapped IPv6 as plain IPv4', () => {
    expect(clientAddressOf(initial('203.0.113.7'), 0)).toBe('203.0.113.7');
    expect(clientAddressOf(initial('::ffff:203.0.113.7'), 0)).toBe('203.0.113.7');
  });

  it('counts IPv6 clients by their /64 prefix', () => {
    expect(clientAddressOf(initial('2001:db8:abcd:12:1:2:3:4'), 0)).toBe('2001:db8:abcd:12::/64');
    expect(clientAddressOf(initial('2001:db8:abcd:12::99'), 0)).toBe('2001:db8:abcd:12::/64');
    expect(clientAddressOf(initial('2001:0DB8::1'), 0)).toBe('2001:db8:0:0::/64');
    expect(clientAddressOf(initial('::1'), 0)).toBe('0:0:0:0::/64');
    expect(clientAddressOf(initial('fe80::1%eth0'), 0)).toBe('fe80:0:0:0::/64');
  });

  it("is 'unknown' without a socket (yoga.fetch)", () => {
    expect(clientAddressOf(initial(undefined), 0)).toBe('unknown');
  });

  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddressOf(initial('10.0.0.5', { 'x-forwarded-for': '198.51.100.1' }), 0)).toBe('10.0.0.5');
  });

  it('with trusted proxies, takes the entry the outermost trusted proxy wrote, not what the client sent', () => {
    const spoofed = { 'x-forwarded-for': '1.1.1.1, 198.51.100.1, 10.0.0.9' };
    expect(clientAddressOf(initial('10.0.0.5', spoofed), 1)).toBe('10.0.0.9');
    expect(clientAddressOf(initial('10.0.0.5', spoofed), 2)).toBe('198.51.100.1');
    expect(clientAddressOf(initial('10.0.0.5', { 'x-forwarded-for': '198.51.100.1' }), 2)).toBe('198.51.100.1');
  });

  it('with trusted proxies, strips ports and falls back to the peer when the header is missing or not an address', () => {
    expect(clientAddressOf(initial('10.0.0.5', { 'x-forwarded-for': '198.51.100.1:5555' }), 1)).toBe('198.51.100.1');
    expect(clientAddressOf(initial('10.0.0.5', { 'x-forwarded-for': '[2001:db8:1:2::7]:443' }), 1)).toBe('2001:db8:1:2::/64');
    expect(clientAddressOf(initial('10.0.0.5'), 1)).toBe('10.0.0.5');
    expect(clientAddressOf(initial('10.0.0.5', { 'x-forwarded-for': 'unknown, <script>' }), 1)).toBe('10.0.0.5');
  });
});
