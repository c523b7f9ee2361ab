import { connect, type Socket } from 'node:net';

/** Options of {@link startUpstreamProbe}. */
export interface UpstreamProbeOptions {
  /**
   * Pause between the end of one probe and the start of the next, so a change shows within about
   * this much (plus `timeoutMs` when the host stops answering at all).
   * @default 2000
   */
  intervalMs?: number;
  /** How long a TCP connect may take. @default 2000 */
  timeoutMs?: number;
  /** Opens the TCP connection: a seam for tests. @default node:net's `connect` */
  connect?: (options: { host: string; port: number }) => Socket;
}

/** A running {@link startUpstreamProbe}. */
export interface UpstreamProbe {
  /** Whether the latest probe connected; until the first one has finished, its answer. */
  reachable(): Promise<boolean>;
  /** Stops probing, a connect under way included; `reachable` keeps the last answer. */
  stop(): void;
}

/**
 * Probes whether the upstream at `apiUrl` is reachable, every `intervalMs`, for the
 * `gateway_upstream_up` gauge: a TCP connect to its host and port (DNS included), closed at once.
 * No HTTP request is sent, so probing spends none of the store's API rate limit and needs no
 * credentials. A timer, not the outcomes of real calls: the gauge then reads the same with no
 * traffic, and the circuit-state gauge already reports how real calls fare. Its timers and
 * sockets are unref'd: it never keeps a process alive.
 */
export function startUpstreamProbe(apiUrl: string, options: UpstreamProbeOptions = {}): UpstreamProbe {
  const intervalMs = options.intervalMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const open = options.connect ?? connect;
  const url = new URL(apiUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let cancel: (() => void) | undefined;
  const probe = () =>
    new Promise<boolean>((resolve) => {
      const socket = open({ host, port });
      const settle = (connected: boolean) => {
        clearTimeout(deadline);
        socket.destroy();
        cancel = undefined;
        resolve(connected);
      };
      const deadline = setTimeout(() => settle(false), timeoutMs);
      deadline.unref();
      socket.unref();
      socket.once('connect', () => settle(true));
      socket.once('error', () => settle(false));
      cancel = () => settle(false);
    });
  // Replaced only once a probe has finished, so no scrape but the first waits for one.
  let latest = probe();
  const next = (answer: Promise<boolean>) =>
    void answer.then(() => {
      if (stopped) return;
      latest = answer;
      timer = setTimeout(() => next(probe()), intervalMs);
      timer.unref();
    });
  next(latest);

  return {
    reachable: () => latest,
    stop() {
      stopped = true;
      clearTimeout(timer);
      // A connect under way would keep the process alive until it settles.
      cancel?.();
    },
  };
}
