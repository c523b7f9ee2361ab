// A loopback upstream that misbehaves on purpose: one scripted fault per request, on any path
// (B2B GraphQL `POST /graphql` and the REST `/api/io/auth/*` routes). Unlike the sandbox's fault
// injection it never runs a real handler: every answer is canned, so a test controls each byte.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { UnsecuredJWT } from 'jose';

/** The faults the loopback server can play. */
export const FAULTS = [
  'hang-before-headers',
  'stall-mid-body',
  'reset-mid-body',
  'truncated-json',
  'html-502',
  'wrong-shape',
  'rate-limited',
  'oversized',
] as const;

/** One misbehaviour of the upstream. */
export type Fault = (typeof FAULTS)[number];

/** What the server does with one request: a fault, or the documented success answer. */
export type Play = Fault | 'ok';

/** `Retry-After` of the `rate-limited` fault, in seconds. */
export const RETRY_AFTER_SECONDS = 3;

/** Size of the `oversized` fault's body: over the transport's 1 MiB `maxResponseBytes` default. */
export const OVERSIZED_BYTES = 1024 * 1024 + 512 * 1024;

/** One request the server received. */
export interface FaultRequest {
  /** `${METHOD} ${pathname}`, e.g. `POST /graphql` or `GET /api/io/auth/storefront`. */
  path: string;
  /** The upstream operation: `graphql login`, `graphql authorization`, …, or `path` for REST. */
  route: string;
  /** What the server played. */
  play: Play;
  headers: IncomingMessage['headers'];
  query: Record<string, string>;
  body: string;
}

export interface FaultServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`: the gateway's `B2B_API_URL`. */
  url: string;
  /** Plays `play` to every request from now on (after any queued by {@link script}). @default 'ok' */
  always(play: Play): void;
  /** Queues plays, used one per request in order, before the standing one. */
  script(...plays: Play[]): void;
  /** Every request received, in order. */
  requests: FaultRequest[];
  /** Requests whose `path` or `route` is `key` (`'POST /graphql'`, `'graphql login'`); all of them without a key. */
  hits(key?: string): number;
  /** Forgets the requests and the queued plays; the standing play becomes `ok`. */
  reset(): void;
  /** Sockets open right now (kept alive, hanging or stalled). */
  openSockets(): number;
  /** Destroys every socket (hanging ones included) and stops listening. */
  close(): Promise<void>;
}

const FAMILY_1_NOT_FOUND = '{"code":404,"data":{"errMsg":"Not Found"},"meta":{"message":"Not Found Error"}}';
const RATE_LIMITED_BODY = '{"code":429,"data":{"errMsg":"Too many requests"},"meta":{"message":"Too Many Requests"}}';
const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** An unsigned but well-formed JWT (`alg: none`, `eyJ…`) with an `exp` one day ahead. */
function fakeJwt(claims: Record<string, unknown>): string {
  return new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('1d').encode();
}

const family1 = (data: unknown) => JSON.stringify({ code: 200, data, meta: { message: 'SUCCESS' } });

const STORE_HASH = 'fault';

/** The documented success body of each route (docs/upstream.md#rest-authentication-endpoints, docs/upstream.md#b2b-graphql). */
function okBody(route: string): { status: number; body: string } {
  switch (route) {
    case 'graphql login':
      return {
        status: 200,
        body: JSON.stringify({
          data: {
            login: {
              result: {
                token: fakeJwt({ email: 'buyer@fault.example', store_hash: STORE_HASH, channel_ids: [1], token_type: 'storefront' }),
                storefrontLoginToken: fakeJwt({ customer_id: 201, channel_id: 1, operation: 'customer_login' }),
                loginType: 2,
                user: { id: '1001', bcId: 201, email: 'buyer@fault.example', firstName: 'Fay', lastName: 'Ult', role: 1 },
                permissions: [{ code: 'get_orders', permissionLevel: 2 }],
              },
            },
          },
        }),
      };
    case 'graphql authorization':
      return {
        status: 200,
        body: JSON.stringify({
          data: {
            authorization: {
              result: {
                token: fakeJwt({ email: 'buyer@fault.example', store_hash: STORE_HASH, channel_ids: [1], token_type: 'storefront' }),
                permissions: [{ code: 'get_orders', permissionLevel: 2 }],
              },
            },
          },
        }),
      };
    case 'graphql currentUser':
      return {
        status: 200,
        body: JSON.stringify({
          data: { currentUser: { id: '1001', bcId: 201, email: 'buyer@fault.example', firstName: 'Fay', lastName: 'Ult', role: 1 } },
        }),
      };
    case 'POST /api/io/auth/customers':
      return {
        status: 200,
        body: family1({ name: 'b2b-auth-gateway', token: fakeJwt({ email: 'buyer@fault.example', store_hash: STORE_HASH, channel_ids: [1] }) }),
      };
    case 'GET /api/io/auth/storefront':
      return { status: 200, body: family1({ token: fakeJwt({ email: 'buyer@fault.example', store_hash: STORE_HASH, channel_ids: [1] }) }) };
    case 'POST /api/io/auth/customers/storefront':
      // `token` is an array here (docs/upstream.md#token-for-a-customer).
      return { status: 200, body: family1({ token: [fakeJwt({ bc_customer_id: 201, store_hash: STORE_HASH, bc_channel_id: 1 })] }) };
    default:
      return { status: 404, body: FAMILY_1_NOT_FOUND };
  }
}

/** A 200 whose JSON is valid but not the documented shape of the route. */
function wrongShapeBody(route: string): string {
  switch (route) {
    case 'graphql login':
      return '{"data":{"login":{"result":{"token":12345,"permissions":"all"}}}}';
    case 'graphql authorization':
      return '{"data":{"authorization":{"token":"eyJ.top-level.instead-of-result"}}}';
    case 'graphql currentUser':
      return '{"data":{"currentUser":{"id":null}}}';
    case 'POST /api/io/auth/customers':
      return '{"code":200,"data":{"name":"b2b-auth-gateway","authToken":"eyJ.renamed.field"},"meta":{"message":"SUCCESS"}}';
    case 'GET /api/io/auth/storefront':
      return '{"code":200,"data":{"token":123},"meta":{"message":"SUCCESS"}}';
    case 'POST /api/io/auth/customers/storefront':
      return '{"code":200,"data":{"token":[]},"meta":{"message":"SUCCESS"}}';
    default:
      return '{"unexpected":true}';
  }
}

/** The root field of a GraphQL document: the first name after the first `{`. */
function graphqlRoute(body: string): string {
  try {
    const payload = JSON.parse(body) as { query?: unknown };
    const field = typeof payload.query === 'string' ? /\{\s*(\w+)/.exec(payload.query)?.[1] : undefined;
    return `graphql ${field ?? 'unknown'}`;
  } catch {
    return 'graphql unknown';
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A client that gives up mid-request: nothing to answer.
    req.on('error', () => resolve(''));
  });
}

/** Starts a fault server on 127.0.0.1, port 0. */
export async function startFaultServer(): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const requests: FaultRequest[] = [];
  let queue: Play[] = [];
  let standing: Play = 'ok';
  let closing = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => {});
    const url = new URL(req.url ?? '/', 'http://fault.invalid');
    const body = await readBody(req);
    const path = `${req.method ?? 'GET'} ${url.pathname}`;
    const route = url.pathname === '/graphql' ? graphqlRoute(body) : path;
    const play = queue.shift() ?? standing;
    requests.push({ path, route, play, headers: req.headers, query: Object.fromEntries(url.searchParams), body });
    if (closing) return void res.socket?.destroy();

    const ok = okBody(route);
    const json = { 'content-type': 'application/json' };
    switch (play) {
      case 'ok':
        return void res.writeHead(ok.status, { ...json, 'content-length': Buffer.byteLength(ok.body) }).end(ok.body);
      case 'hang-before-headers':
        // The request was read; the answer never starts. Only the client's deadline ends this.
        return;
      case 'stall-mid-body': {
        const bytes = Buffer.from(ok.body);
        res.writeHead(200, { ...json, 'content-length': bytes.length });
        res.write(bytes.subarray(0, bytes.length >> 1));
        return;
      }
      case 'reset-mid-body': {
        const bytes = Buffer.from(ok.body);
        res.writeHead(200, { ...json, 'content-length': bytes.length });
        // Let the headers and the first half reach the client, then RST (not a clean FIN).
        res.write(bytes.subarray(0, bytes.length >> 1), () => {
          setTimeout(() => {
            const socket = res.socket;
            if (socket && !socket.destroyed) socket.resetAndDestroy();
          }, 15);
        });
        return;
      }
      case 'truncated-json': {
        const half = Buffer.from(ok.body).subarray(0, Buffer.byteLength(ok.body) >> 1);
        return void res.writeHead(200, { ...json, 'content-length': half.length }).end(half);
      }
      case 'html-502':
        return void res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(HTML_502) }).end(HTML_502);
      case 'wrong-shape': {
        const wrong = wrongShapeBody(route);
        return void res.writeHead(200, { ...json, 'content-length': Buffer.byteLength(wrong) }).end(wrong);
      }
      case 'rate-limited':
        return void res
          .writeHead(429, { ...json, 'content-length': Buffer.byteLength(RATE_LIMITED_BODY), 'retry-after': String(RETRY_AFTER_SECONDS) })
          .end(RATE_LIMITED_BODY);
      case 'oversized': {
        // Valid JSON of the documented shape, padded past the limit: only its size is wrong.
        const prefix = '{"padding":"';
        const suffix = `","ok":${ok.body}}`;
        const padding = 'x'.repeat(OVERSIZED_BYTES - Buffer.byteLength(prefix) - Buffer.byteLength(suffix));
        const big = prefix + padding + suffix;
        return void res.writeHead(200, { ...json, 'content-length': Buffer.byteLength(big) }).end(big);
      }
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    // A client that drops the connection while we write (oversized, reset) is expected.
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    always(play) {
      standing = play;
    },
    script(...plays) {
      queue.push(...plays);
    },
    requests,
    hits(key) {
      return key === undefined ? requests.length : requests.filter((request) => request.path === key || request.route === key).length;
    },
    reset() {
      requests.length = 0;
      queue = [];
      standing = 'ok';
    },
    openSockets: () => sockets.size,
    close() {
      closing = true;
      closed ??= Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        ...[...sockets].map((socket) => {
          const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
          socket.destroy();
          return gone;
        }),
      ]).then(() => undefined);
      return closed;
    },
  };
}
