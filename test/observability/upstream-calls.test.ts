// The debug line of every upstream call (src/observability/upstream-calls.ts), as an operator sees
// it: gateways built from LOG_LEVEL alone, writing their JSON lines on stderr, in front of a real
// sandbox.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { createUpstreamCallLog } from '../../src/observability/upstream-calls.js';
import { createSandbox, type Sandbox, SANDBOX_USERS } from '../../src/sandbox/index.js';
import { AUTHORIZATION, CREDENTIAL_LIMITS_OFF, type GraphQLReply, ISSUE, LOGIN } from '../harness.js';

const buyer = SANDBOX_USERS.buyer;
const TIMEOUT_MS = 300;

let sandbox: Sandbox;
let debugGateway: Gateway;
let infoGateway: Gateway;
/** Every JSON line the gateways wrote on stderr. */
const lines: string[] = [];
/** Every token the gateways issued, and every JWT the tests sent. */
const tokens: string[] = [];

beforeAll(async () => {
  sandbox = await createSandbox({ rateLimit: 10_000 });
  // The gateways' own loggers write to stderr: their lines are kept, anything else passes through.
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('{"level":')) lines.push(chunk.trimEnd());
    else return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
    return true;
  });
  const gateway = (logLevel: string) =>
    createGateway(
      loadConfig({
        B2B_API_URL: sandbox.url,
        B2B_STORE_HASH: sandbox.storeHash,
        B2B_AUTH_TOKEN: sandbox.authToken,
        B2B_TIMEOUT_MS: String(TIMEOUT_MS),
        LOG_LEVEL: logLevel,
        ...CREDENTIAL_LIMITS_OFF,
      }),
    );
  debugGateway = await gateway('debug');
  infoGateway = await gateway('info');
});

afterAll(async () => {
  vi.restoreAllMocks();
  await debugGateway?.close();
  await infoGateway?.close();
  await sandbox?.close();
});

beforeEach(() => {
  lines.length = 0;
  sandbox.clearRequests();
  sandbox.clearFaults();
});

async function send(gateway: Gateway, query: string, variables: Record<string, unknown>, requestId = 'upstream-calls-test'): Promise<GraphQLReply['body']> {
  const response = await gateway.yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-request-id': requestId },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLReply['body'];
  for (const payload of Object.values(body.data ?? {})) {
    const { token, storefrontLoginToken } = payload as { token?: { value?: string }; storefrontLoginToken?: string | null };
    if (token?.value) tokens.push(token.value);
    if (storefrontLoginToken) tokens.push(storefrontLoginToken);
  }
  return body;
}

const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const debugLines = () => entries().filter((entry) => entry['level'] === 'debug');
const upstreamCall = (fields: Record<string, unknown>, requestId = 'upstream-calls-test') => ({
  level: 'debug',
  time: expect.any(String),
  msg: 'upstream call',
  ...fields,
  durationMs: expect.any(Number),
  requestId,
});

describe('LOG_LEVEL=debug', () => {
  it('a login writes one JSON debug line per upstream call: method and path, status, duration, request id', async () => {
    const body = await send(debugGateway, LOGIN, { input: { email: buyer.email, password: buyer.password } }, 'login-1');
    expect(body.errors).toBeUndefined();
    expect(sandbox.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /graphql']);
    expect(debugLines()).toEqual([upstreamCall({ endpoint: 'POST /graphql', operation: 'login', status: 200 }, 'login-1')]);
    expect(debugLines()[0]?.['durationMs']).toBeGreaterThan(0);
  });

  it('a failed login is one line too, with the status the upstream answered', async () => {
    const body = await send(debugGateway, LOGIN, { input: { email: buyer.email, password: 'Wr0ng-Pa55word!' } });
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(debugLines()).toEqual([upstreamCall({ endpoint: 'POST /graphql', operation: 'login', status: 200 })]);
  });

  it('REST calls name their path without the query string, which carries the session JWT', async () => {
    const jwtToken = await sandbox.currentCustomerJwt(buyer.email);
    tokens.push(jwtToken);
    await send(debugGateway, ISSUE, { input: { sessionJwt: { jwtToken } } });
    await send(debugGateway, ISSUE, { input: { credentials: { email: buyer.email, password: buyer.password } } });
    expect(sandbox.requests.map((request) => [`${request.method} ${request.path}`, Object.keys(request.query)])).toEqual([
      ['GET /api/io/auth/storefront', ['jwtToken']],
      ['POST /api/io/auth/customers', []],
    ]);
    expect(debugLines()).toEqual([
      upstreamCall({ endpoint: 'GET /api/io/auth/storefront', status: 200 }),
      upstreamCall({ endpoint: 'POST /api/io/auth/customers', status: 200 }),
    ]);
  });

  it('a call with no answer names why: a timeout, a dropped connection', async () => {
    sandbox.injectFault({ match: 'POST /api/io/auth/customers', latencyMs: TIMEOUT_MS * 3, times: 1 });
    await send(debugGateway, ISSUE, { input: { credentials: { email: buyer.email, password: buyer.password } } });
    sandbox.injectFault({ match: 'POST /api/io/auth/customers', drop: 'before-headers', times: 1 });
    await send(debugGateway, ISSUE, { input: { credentials: { email: buyer.email, password: buyer.password } } });
    expect(debugLines()).toEqual([
      upstreamCall({ endpoint: 'POST /api/io/auth/customers', error: 'timeout' }),
      upstreamCall({ endpoint: 'POST /api/io/auth/customers', error: 'network_error' }),
    ]);
    expect(debugLines()[0]?.['durationMs']).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
  });

  it('an answer the upstream failed with keeps its status', async () => {
    sandbox.injectFault({ match: 'POST /graphql', status: 503, body: '<html>503</html>', contentType: 'text/html', times: 1 });
    const bcToken = await sandbox.currentCustomerJwt(buyer.email);
    tokens.push(bcToken);
    await send(debugGateway, AUTHORIZATION, { input: { bcToken } });
    // B2B GraphQL down: the gateway fails over to REST, and each call has its line.
    expect(debugLines()).toEqual([
      upstreamCall({ endpoint: 'POST /graphql', operation: 'authorization', status: 503 }),
      upstreamCall({ endpoint: 'GET /api/io/auth/storefront', status: 200 }),
    ]);
  });
});

describe('LOG_LEVEL=info', () => {
  it('the same calls write no debug line', async () => {
    await send(infoGateway, LOGIN, { input: { email: buyer.email, password: buyer.password } });
    await send(infoGateway, ISSUE, { input: { credentials: { email: buyer.email, password: buyer.password } } });
    expect(sandbox.requests).toHaveLength(2);
    expect(debugLines()).toEqual([]);
  });

  it('builds no line and tracks no request: below debug there is no call log at all', () => {
    expect(createUpstreamCallLog(createLogger({ level: 'info', write: () => {} }))).toBeUndefined();
    expect(createUpstreamCallLog(createLogger({ level: 'debug', write: () => {} }))).toBeDefined();
    // A logger that cannot tell is handed every line, and filters them itself.
    expect(createUpstreamCallLog({ debug: () => {}, info: () => {}, warn: () => {}, error: () => {} })).toBeDefined();
  });
});

describe('no secret in a debug line', () => {
  it('the X-Auth-Token, the passwords, the JWTs sent and the tokens issued never appear', async () => {
    await send(debugGateway, LOGIN, { input: { email: buyer.email, password: buyer.password } });
    await send(debugGateway, ISSUE, { input: { credentials: { email: buyer.email, password: buyer.password } } });
    const jwtToken = await sandbox.currentCustomerJwt(buyer.email);
    tokens.push(jwtToken);
    await send(debugGateway, ISSUE, { input: { sessionJwt: { jwtToken } } });
    await send(debugGateway, AUTHORIZATION, { input: { bcToken: jwtToken } });
    // The secrets did travel: a leak was possible.
    const upstream = JSON.stringify(sandbox.requests);
    expect(upstream).toContain(sandbox.authToken);
    expect(upstream).toContain(buyer.password);
    expect(upstream).toContain(jwtToken);
    expect(tokens.length).toBeGreaterThanOrEqual(6);

    const logged = debugLines().map((entry) => JSON.stringify(entry));
    expect(logged).toHaveLength(sandbox.requests.length);
    for (const secret of [sandbox.authToken, buyer.password, 'Wr0ng-Pa55word!', ...tokens]) {
      expect(logged.filter((line) => line.includes(secret))).toEqual([]);
    }
    // No header, body or query string either: the line holds only these fields.
    for (const entry of debugLines()) {
      expect(Object.keys(entry)).toEqual(expect.arrayContaining(['durationMs', 'endpoint', 'level', 'msg', 'requestId', 'time']));
      expect(Object.keys(entry).every((key) => ['durationMs', 'endpoint', 'error', 'level', 'msg', 'operation', 'requestId', 'status', 'time'].includes(key))).toBe(true);
      expect(entry['endpoint']).not.toContain('?');
    }
  });
});
