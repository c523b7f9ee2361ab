import { connect, type Socket } from 'node:net';

/** What `/readiness` answers. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** Options of {@link createUpstreamProbe}. */
export interface UpstreamProbeOptions {
  /** How long a TCP connect may take. @default 2000 */
  timeoutMs?: number;
  /** How long an answer is reused, so frequent probes (several replicas, several checkers) cost one connect. @default 5000 */
  cacheMs?: number;
  /** The clock, in ms. @default performance.now */
  now?: () => number;
  /** Opens the TCP connection, like the clock a seam for tests. @default node:net's `connect` */
  connect?: (options: { host: string; port: number }) => Socket;
}

/**
 * Whether the upstream at `apiUrl` is reachable: a TCP connect to its host and port (DNS
 * included), closed at once. No HTTP request is sent, so probing spends none of the store's
 * API rate limit and needs no credentials. Answers are cached for `cacheMs`, and probes that
 * arrive while one is under way share it.
 */
export function createUpstreamProbe(apiUrl: string, options: UpstreamProbeOptions = {}): () => Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const cacheMs = options.cacheMs ?? 5_000;
  const now = options.now ?? (() => performance.now());
  const open = options.connect ?? connect;
  const url = new URL(apiUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);

  let cached: { at: number; answer: Promise<Readiness> } | undefined;
  return () => {
    const at = now();
    if (cached === undefined || at - cached.at >= cacheMs) cached = { at, answer: tcpProbe(open({ host, port }), timeoutMs) };
    return cached.answer;
  };
}

function tcpProbe(socket: Socket, timeoutMs: number): Promise<Readiness> {
  return new Promise((resolve) => {
    const settle = (readiness: Readiness) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(readiness);
    };
    const timer = setTimeout(() => settle({ ready: false, reason: `upstream unreachable: no connection within ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => settle({ ready: true }));
    // The error code only (ECONNREFUSED, ENOTFOUND, …): the message would repeat the address.
    socket.once('error', (error: NodeJS.ErrnoException) => settle({ ready: false, reason: `upstream unreachable: ${error.code ?? 'connection failed'}` }));
  });
}
