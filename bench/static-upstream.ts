import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchJwt, unixIn } from './jwt.js';
import { STORE_HASH } from './targets.js';

/*
 * The upstream alone: a minimal node:http server answering, with fixed bodies built once, the
 * documented success answers of the calls the gateway's benchmarked operations make
 * (docs/upstream.md: GraphQL `login` and `authorization`, the REST token from credentials and from
 * a session JWT). It is the physical floor of this machine: nothing can answer faster than this.
 *
 *   POST /graphql                     `login` or `authorization` (B2B GraphQL Storefront API)
 *   POST /api/io/auth/customers       storefront authToken from credentials
 *   GET  /api/io/auth/storefront      storefront authToken from a session JWT
 *
 * Anything else gets an answer the gateway and the benchmark count as an error. It prints one
 * JSON line, `{"url": "http://127.0.0.1:<port>"}`, when it listens.
 */

// Every token is valid for a day from start-up: the gateway derives `expiresAt` from `exp`.
const authToken = benchJwt({
  email: 'buyer@example.com',
  store_hash: STORE_HASH,
  db: 'bench',
  name: 'b2b-auth-gateway',
  channel_ids: [1],
  token_type: 1,
  nbf: unixIn(0),
  exp: unixIn(86_400),
});
const storefrontLoginToken = benchJwt({ iss: 'b2b-edition', store_hash: STORE_HASH, customer_id: 201, iat: unixIn(0), exp: unixIn(86_400) });
const permissions = [
  { code: 'get_orders', permissionLevel: 3 },
  { code: 'create_quote', permissionLevel: 2 },
  { code: 'purchase_enable', permissionLevel: 1 },
];
const user = { id: '1001', bcId: 201, firstName: 'Ada', lastName: 'Buyer', email: 'buyer@example.com', phone: null, role: 1 };

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const LOGIN = json({ data: { login: { result: { token: authToken, storefrontLoginToken, loginType: 2, user, permissions } } } });
const AUTHORIZATION = json({ data: { authorization: { result: { token: authToken, permissions } } } });
const CREDENTIALS = json({ code: 200, data: { name: 'b2b-auth-gateway', token: authToken }, meta: { message: 'SUCCESS' } });
const SESSION_JWT = json({ code: 200, data: { token: authToken }, meta: { message: 'SUCCESS' } });
const UNKNOWN_OPERATION = json({ errors: [{ message: 'static responder: not one of the documented operations' }], data: null });
const NOT_FOUND = json({ code: 404, data: { errMsg: 'static responder: no such route' }, meta: { message: 'Not Found Error' } });

function send(response: ServerResponse, status: number, body: Buffer): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  response.end(body);
}

function answer(request: IncomingMessage, body: string, response: ServerResponse): void {
  const path = request.url === undefined ? '' : request.url.split('?', 1)[0];
  if (request.method === 'POST' && path === '/graphql') {
    // The field name decides; how a client printed the document (Hive re-prints it) does not.
    if (/\bauthorization\s*\(/.test(body)) return send(response, 200, AUTHORIZATION);
    if (/\blogin\s*\(/.test(body)) return send(response, 200, LOGIN);
    return send(response, 200, UNKNOWN_OPERATION);
  }
  if (request.method === 'POST' && path === '/api/io/auth/customers') return send(response, 200, CREDENTIALS);
  if (request.method === 'GET' && path === '/api/io/auth/storefront') return send(response, 200, SESSION_JWT);
  return send(response, 404, NOT_FOUND);
}

const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
  // The whole request is read before answering, as a real server does (and keep-alive needs).
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => answer(request, Buffer.concat(chunks).toString('utf8'), response));
});

server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
