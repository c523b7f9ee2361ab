// The TCP probe behind `gateway_upstream_up`: a connect every interval, never an HTTP request.
import { createServer, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startUpstreamProbe } from '../../src/observability/upstream-probe.js';

/** A loopback TCP server that counts connections and closes each at once. */
async function listener(port = 0) {
  const server = createServer((socket) => socket.destroy());
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('startUpstreamProbe', () => {
  it('answers the first probe to a scrape that comes before it has finished, then probes every intervalMs', async () => {
    const upstream = await listener();
    const probe = startUpstreamProbe(upstream.url, { intervalMs: 100 });
    try {
      expect(await probe.reachable()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 450));
      // One at once, then one every ~100 ms; scheduling noise allows a few fewer.
      expect(upstream.connections()).toBeGreaterThanOrEqual(3);
      expect(upstream.connections()).toBeLessThanOrEqual(5);
    } finally {
      probe.stop();
      await upstream.close();
    }
  });

  it('answers false when nothing listens, and true once something does', async () => {
    const upstream = await listener();
    const port = Number(new URL(upstream.url).port);
    await upstream.close();
    const probe = startUpstreamProbe(upstream.url, { intervalMs: 50 });
    expect(await probe.reachable()).toBe(false);
    const back = await listener(port);
    try {
      const started = performance.now();
      while (!(await probe.reachable()) && performance.now() - started < 2_000) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await probe.reachable()).toBe(true);
    } finally {
      probe.stop();
      await back.close();
    }
  });

  it('stops probing once stopped', async () => {
    const upstream = await listener();
    const probe = startUpstreamProbe(upstream.url, { intervalMs: 50 });
    try {
      expect(await probe.reachable()).toBe(true);
      probe.stop();
      const seen = upstream.connections();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(upstream.connections()).toBe(seen);
      expect(await probe.reachable()).toBe(true);
    } finally {
      await upstream.close();
    }
  });

  it('answers false after timeoutMs when the connect never completes, and closes the socket', async () => {
    // A socket whose connect never completes: an address that drops SYNs, wherever the test runs.
    const silent = new Socket();
    const probe = startUpstreamProbe('http://192.0.2.1:81', { timeoutMs: 50, connect: () => silent });
    try {
      const started = performance.now();
      expect(await probe.reachable()).toBe(false);
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
      expect(silent.destroyed).toBe(true);
    } finally {
      probe.stop();
    }
  });
});
