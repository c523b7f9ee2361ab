// `createSandbox`: a node:http server imitating the BigCommerce B2B Edition auth APIs
// (docs/upstream.md), and a second one for the store's storefront. Listening and signal handling
// for manual runs live in main.ts.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SandboxContext } from './context.js';
import { createControlRoutes, isControlPath } from './control-routes.js';
import { failure, routeNotFound, tooManyRequests } from './envelope.js';
import { parseBody, recordedBody, type SandboxRequest, type SandboxResponse } from './exchange.js';
import { FaultRegistry } from './faults.js';
import { createGraphqlEndpoint, loadUpstreamSchema } from './graphql-endpoint.js';
import { FixedWindowRateLimiter, rateLimitKey } from './rate-limit.js';
import { createRouter, isUpstreamPath } from './router.js';
import { SANDBOX_USERS, SandboxStore } from './store.js';
import { createStorefront } from './storefront.js';
import { TokenService } from './tokens.js';
import type { FaultSpec, RecordedRequest, Sandbox, SandboxOptions } from './types.js';

const MAX_BODY_BYTES = 1024 * 1024;

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const storeHash = options.storeHash ?? 'sandbox';
  const authToken = options.authToken ?? randomBytes(20).toString('hex');
  const now = options.now ?? Date.now;

  const store = new SandboxStore(storeHash, { buyers: options.buyers ?? 0 });
  const tokens = new TokenService(storeHash, now);
  await seedBackendTokens(store, tokens);
  const host = options.host ?? '127.0.0.1';

  let closing = false;
  const sockets = new Set<Socket>();
  // Pending fault latencies; `close()` cuts them short so it never waits on a sleeping handler.
  const sleepers = new Set<() => void>();

  const schema = await loadUpstreamSchema();
  // The storefront first: the GraphQL endpoint hands out links to it.
  const storefront = createStorefront(store, tokens);
  const storefrontServer = createServer((req, res) => void serveStorefront(req, res));
  async function serveStorefront(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => {});
    res.on('error', () => {});
    req.resume();
    try {
      const url = new URL(req.url ?? '/', 'http://storefront.invalid');
      send(res, await storefront({ method: (req.method ?? 'GET').toUpperCase(), pathname: url.pathname, headers: flattenHeaders(req.headers) }));
    } catch {
      if (!res.headersSent) send(res, failure(500, 'Internal Server Error', 'Internal Server Error'));
      else res.destroy();
    }
  }
  const storefrontUrl = await listen(storefrontServer, options.storefrontPort ?? 0, host, sockets);

  const context: SandboxContext = { storeHash, authToken, store, tokens, storefrontUrl };
  const route = createRouter(context, createGraphqlEndpoint(schema, context));
  const limiter = new FixedWindowRateLimiter(options.rateLimit ?? 150, options.rateLimitWindowMs ?? 60_000, now);
  const faults = new FaultRegistry();
  const requests: RecordedRequest[] = [];

  async function currentCustomerJwt(email: string, expiresInSeconds?: number): Promise<string | undefined> {
    const customer = store.customerByEmail(email);
    if (customer === undefined) return undefined;
    return tokens.currentCustomerJwt({ id: customer.bcId, email: customer.email, groupId: customer.groupId }, expiresInSeconds);
  }

  const control = createControlRoutes({
    faults,
    requests: () => requests,
    clearRequests: () => void (requests.length = 0),
    currentCustomerJwt,
  });

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }

  async function upstreamResponse(request: SandboxRequest): Promise<SandboxResponse> {
    if (!isUpstreamPath(request.pathname)) return routeNotFound();
    const decision = limiter.take(rateLimitKey(request));
    const response = decision.allowed ? await route(request) : tooManyRequests({});
    return { ...response, headers: { ...response.headers, ...decision.headers } };
  }

  async function answer(request: SandboxRequest, res: ServerResponse): Promise<void> {
    const fault = faults.take(request.method, request.pathname);
    if (fault?.latencyMs) await sleep(fault.latencyMs);
    if (closing || res.destroyed) return;
    if (fault?.drop === 'before-headers') {
      res.destroy();
      return;
    }
    let response = fault && replacesHandler(fault) ? faultResponse(fault) : await upstreamResponse(request);
    if (fault?.headers) response = { ...response, headers: { ...response.headers, ...lowerCaseKeys(fault.headers) } };
    if (fault?.drop === 'mid-body') sendTruncated(res, response);
    else send(res, response);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Without listeners a stream 'error' (client gone) would throw and take the process down.
    req.on('error', () => {});
    res.on('error', () => {});
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      const { raw, tooLarge } = await readBody(req);
      const request: SandboxRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        pathname: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: flattenHeaders(req.headers),
        body: parseBody(raw),
      };
      if (isControlPath(request.pathname)) return send(res, await control(request));
      requests.push({
        method: request.method,
        path: request.pathname,
        query: { ...request.query },
        headers: { ...request.headers },
        body: recordedBody(request.body),
      });
      if (tooLarge) return send(res, failure(413, 'Request body too large', 'Request Entity Too Large'));
      await answer(request, res);
    } catch {
      // Never crash on a request: whatever went wrong becomes a 500 in the B2B envelope.
      if (!res.headersSent) send(res, failure(500, 'Internal Server Error', 'Internal Server Error'));
      else res.destroy();
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  let url: string;
  try {
    url = await listen(server, options.port ?? 0, host, sockets);
  } catch (error) {
    storefrontServer.close();
    throw error;
  }

  const closeServer = (closable: Server) => new Promise<void>((resolve) => closable.close(() => resolve()));
  let closed: Promise<void> | undefined;
  return {
    url,
    storefrontUrl,
    storeHash,
    authToken,
    requests,
    clearRequests: () => void (requests.length = 0),
    injectFault: (fault: FaultSpec) => faults.add(fault),
    clearFaults: () => faults.clear(),
    async currentCustomerJwt(email, jwtOptions = {}) {
      const token = await currentCustomerJwt(email, jwtOptions.expiresInSeconds);
      if (token === undefined) throw new Error(`No seeded storefront customer has the email ${email}`);
      return token;
    },
    close() {
      closed ??= (() => {
        closing = true;
        for (const wake of [...sleepers]) wake();
        const both = Promise.all([closeServer(server), closeServer(storefrontServer)]).then(() => undefined);
        for (const socket of sockets) socket.destroy();
        return both;
      })();
      return closed;
    },
  };
}

/** Listens and answers the server's base URL; its sockets join `sockets`, which `close()` destroys. */
async function listen(server: Server, port: number, host: string, sockets: Set<Socket>): Promise<string> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}

async function seedBackendTokens(store: SandboxStore, tokens: TokenService): Promise<void> {
  const owner = SANDBOX_USERS.owner.email;
  const seeds = [
    { name: 'ERP integration', eventChannel: 'admin' },
    { name: 'B2B Edition app', eventChannel: 'app' },
  ] as const;
  for (const seed of seeds) {
    store.addBackendToken({ ...seed, email: owner, storeHash: store.storeHash, token: await tokens.serverToServerToken(owner) });
  }
}

function replacesHandler(fault: FaultSpec): boolean {
  return fault.status !== undefined || fault.body !== undefined;
}

function faultResponse(fault: FaultSpec): SandboxResponse {
  return {
    status: fault.status ?? 200,
    headers: { 'content-type': fault.contentType ?? 'application/json' },
    body: fault.body ?? '',
  };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );
}

async function readBody(req: IncomingMessage): Promise<{ raw: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep draining past the limit so the 413 can still be answered on this connection.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return { raw: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES };
}

function send(res: ServerResponse, response: SandboxResponse): void {
  if (res.destroyed || res.headersSent) return;
  const body = Buffer.from(response.body, 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}

/** Announces the whole body, sends the first half, then kills the connection. */
function sendTruncated(res: ServerResponse, response: SandboxResponse): void {
  if (res.destroyed || res.headersSent) return;
  // At least two bytes, so that at least one is sent and at least one is missing.
  const body = Buffer.from(response.body.padEnd(2, ' '), 'utf8');
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
}
