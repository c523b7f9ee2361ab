import { isIP } from 'node:net';
import type { YogaInitialContext } from 'graphql-yoga';

/** What a request is counted under when nothing tells its address (e.g. `yoga.fetch` in tests). */
export const UNKNOWN_ADDRESS = 'unknown';

/** What `node:http` adds to Yoga's initial context (`createServer(yoga)` passes `{ req, res }`). */
interface NodeServerContext {
  req?: { socket?: { remoteAddress?: string | undefined } };
}

/**
 * The client a request comes from, as the per-address rate limit counts it.
 *
 * By default the TCP peer. With `trustedProxyHops` N > 0 (`GATEWAY_TRUST_PROXY`), the N-th
 * `X-Forwarded-For` entry from the right: each trusted proxy appends the address it saw, so the
 * right-most N entries were written by our proxies and the one the outermost proxy wrote is the
 * client; entries further left come from the client and could be anything. Without a usable
 * header the TCP peer is used.
 *
 * IPv4-mapped IPv6 addresses count as IPv4; other IPv6 addresses count by their /64 prefix,
 * which is what one subscriber usually gets (counting each /128 would let one machine rotate
 * through billions of addresses).
 */
export function clientAddressOf(initial: YogaInitialContext, trustedProxyHops: number): string {
  const peer = (initial as YogaInitialContext & NodeServerContext).req?.socket?.remoteAddress;
  const forwarded = trustedProxyHops > 0 ? forwardedFor(initial.request.headers.get('x-forwarded-for'), trustedProxyHops) : undefined;
  const address = forwarded ?? (peer === undefined ? undefined : withoutPort(peer));
  return address === undefined ? UNKNOWN_ADDRESS : counted(address);
}

function forwardedFor(header: string | null, hops: number): string | undefined {
  const entries = (header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return undefined;
  // Fewer entries than proxies: the left-most is the closest to the client we have.
  const entry = withoutPort(entries[Math.max(0, entries.length - hops)] ?? '');
  return entry !== undefined && isIP(entry) !== 0 ? entry : undefined;
}

// `X-Forwarded-For` entries may carry a port: `1.2.3.4:5678`, `[2001:db8::1]:443`.
function withoutPort(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  if (bracketed) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return v4WithPort ? v4WithPort[1] : entry;
}

function counted(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIP(address) !== 6) return address;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, as lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  // A zone (`fe80::1%eth0`) names an interface of ours, not the client.
  const [head = '', tail] = (address.split('%')[0] ?? '').split('::');
  const groups = (part: string | undefined) =>
    (part ? part.split(':') : []).flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const left = groups(head);
  const right = groups(tail);
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}
