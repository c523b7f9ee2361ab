// The error-code table of the public contract (docs/errors.md), played through the sandbox's
// fault injection against every upstream path the gateway uses, over real HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/sandbox/index.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { AUTHORIZATION, type GraphQLReply, type Harness, ISSUE, LOGIN, startHarness, TRUSTED_KEY } from '../harness.js';

const buyer = SANDBOX_USERS.buyer;

/** One upstream path: the public operation that reaches it and the upstream request it makes. */
interface UpstreamPath {
  name: string;
  /** The sandbox request the operation makes: a fault's `match`. */
  match: string;
  /** The public field that answers. */
  field: 'login' | 'authorization' | 'issueStorefrontToken';
  /** The token source a successful answer names. */
  via: string;
  /** Sends the public operation, correct in every respect, through the harness. */
  run(harness: Harness): Promise<GraphQLReply>;
  /** A 200 answer in the wrong shape for this path. */
  wrongShape: string;
  /** A 200 answer cut in the middle of its JSON. */
  truncated: string;
}

const REST_WRONG_SHAPE = '{"code":200,"data":{"token":123},"meta":{"message":"SUCCESS"}}';
const REST_TRUNCATED = '{"code":200,"data":{"name":"b2b-auth-gateway","token":"eyJhbGciOiJIUzI1NiJ9.eyJlbW';

const PATHS: UpstreamPath[] = [
  {
    name: 'B2B GraphQL login',
    match: 'POST /graphql',
    field: 'login',
    via: 'GRAPHQL_LOGIN',
    run: (h) => h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } }),
    wrongShape: '{"data":{"login":{"result":{"token":null}}}}',
    truncated: '{"data":{"login":{"result":{"token":"eyJhbGciOiJIUzI1NiJ9.eyJl',
  },
  {
    name: 'B2B GraphQL authorization',
    match: 'POST /graphql',
    field: 'authorization',
    via: 'GRAPHQL_AUTHORIZATION',
    run: async (h) => h.graphql(AUTHORIZATION, { input: { bcToken: await h.sandbox.currentCustomerJwt(buyer.email) } }),
    wrongShape: '{"data":{"authorization":{"result":{"token":null}}}}',
    truncated: '{"data":{"authorization":{"result":{"token":"eyJhbGciOiJIUzI1NiJ9.eyJl',
  },
  {
    name: 'REST credentials',
    match: 'POST /api/io/auth/customers',
    field: 'issueStorefrontToken',
    via: 'REST_CREDENTIALS',
    run: (h) => h.graphql(ISSUE, { input: { credentials: { email: buyer.email, password: buyer.password } } }),
    wrongShape: REST_WRONG_SHAPE,
    truncated: REST_TRUNCATED,
  },
  {
    name: 'REST session JWT',
    match: 'GET /api/io/auth/storefront',
    field: 'issueStorefrontToken',
    via: 'REST_SESSION_JWT',
    run: async (h) => h.graphql(ISSUE, { input: { sessionJwt: { jwtToken: await h.sandbox.currentCustomerJwt(buyer.email) } } }),
    wrongShape: REST_WRONG_SHAPE,
    truncated: REST_TRUNCATED,
  },
  {
    name: 'REST customer (trusted caller)',
    match: 'POST /api/io/auth/customers/storefront',
    field: 'issueStorefrontToken',
    via: 'REST_CUSTOMER',
    run: (h) => h.graphql(ISSUE, { input: { customer: { customerId: buyer.bcId } } }, { 'X-Gateway-Key': TRUSTED_KEY }),
    wrongShape: '{"code":200,"data":{"token":[123]},"meta":{"message":"SUCCESS"}}',
    truncated: '{"code":200,"data":{"token":["eyJhbGciOiJIUzI1NiJ9.eyJlbW',
  },
];

/** What a client sees for one error: message and the complete `extensions`. */
interface ExpectedError {
  message: string;
  extensions: Record<string, unknown>;
}

const RATE_LIMITED = (retryAfter: number): ExpectedError => ({
  message: 'BigCommerce is rate limiting this store; try again later.',
  extensions: { code: 'RATE_LIMITED', retryAfter, requestId: expect.any(String) },
});
const UNAVAILABLE: ExpectedError = { message: 'BigCommerce is unavailable.', extensions: { code: 'UPSTREAM_UNAVAILABLE', requestId: expect.any(String) } };
const BAD_RESPONSE: ExpectedError = {
  message: 'BigCommerce answered in an unexpected shape.',
  extensions: { code: 'UPSTREAM_BAD_RESPONSE', requestId: expect.any(String) },
};
const TIMEOUT: ExpectedError = { message: 'BigCommerce did not answer in time.', extensions: { code: 'UPSTREAM_TIMEOUT', requestId: expect.any(String) } };
const INVALID_LOGIN: ExpectedError = { message: 'Invalid email or password.', extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } };
const INVALID_TOKEN: ExpectedError = { message: 'Invalid or expired token.', extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } };

const RATE_BODY = '{"code":429,"data":{"errMsg":"Too many requests"},"meta":{"message":"Too Many Requests"}}';
const SERVER_ERROR_BODY = '{"code":500,"data":{"errMsg":"Internal Server Error"},"meta":{"message":"Internal Server Error"}}';
const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body>\r\n</html>';

/** A fault of the table and what every path must answer to it. */
interface FaultCase {
  name: string;
  fault: (path: UpstreamPath) => Omit<FaultSpec, 'match' | 'times'>;
  expected: ExpectedError;
}

const FAULTS: FaultCase[] = [
  {
    name: '429 with Retry-After: 7 answers RATE_LIMITED with retryAfter 7',
    fault: () => ({ status: 429, body: RATE_BODY, headers: { 'Retry-After': '7' } }),
    expected: RATE_LIMITED(7),
  },
  {
    name: '429 with only X-Request-Window-Resets-After: 42 answers RATE_LIMITED with retryAfter 42',
    fault: () => ({ status: 429, body: RATE_BODY, headers: { 'X-Request-Window-Resets-After': '42' } }),
    expected: RATE_LIMITED(42),
  },
  {
    name: 'a connection dropped before the headers answers UPSTREAM_UNAVAILABLE',
    fault: () => ({ drop: 'before-headers' }),
    expected: UNAVAILABLE,
  },
  {
    // The status line arrived but the connection was reset before the announced body ended: a
    // connection failure (retrying may well work), not a malformed answer from BigCommerce.
    name: 'a connection reset in the middle of the body answers UPSTREAM_UNAVAILABLE',
    fault: () => ({ drop: 'mid-body' }),
    expected: UNAVAILABLE,
  },
  {
    name: 'an HTML 502 from a proxy answers UPSTREAM_UNAVAILABLE',
    fault: () => ({ status: 502, body: HTML_502, contentType: 'text/html' }),
    expected: UNAVAILABLE,
  },
  {
    name: 'a JSON 500 in the B2B envelope answers UPSTREAM_UNAVAILABLE',
    fault: () => ({ status: 500, body: SERVER_ERROR_BODY }),
    expected: UNAVAILABLE,
  },
  {
    name: 'truncated JSON with HTTP 200 answers UPSTREAM_BAD_RESPONSE',
    fault: (path) => ({ status: 200, body: path.truncated }),
    expected: BAD_RESPONSE,
  },
  {
    name: 'an empty HTTP 200 answers UPSTREAM_BAD_RESPONSE',
    fault: () => ({ status: 200, body: '' }),
    expected: BAD_RESPONSE,
  },
  {
    name: 'an HTML page with HTTP 200 (a captive portal) answers UPSTREAM_BAD_RESPONSE',
    fault: () => ({ status: 200, body: '<!doctype html><title>Sign in to the Wi-Fi</title>', contentType: 'text/html' }),
    expected: BAD_RESPONSE,
  },
  {
    name: 'an answer over 1 MiB answers UPSTREAM_BAD_RESPONSE',
    fault: () => ({ status: 200, body: `{"padding":"${'x'.repeat(1024 * 1024)}"}` }),
    expected: BAD_RESPONSE,
  },
  {
    name: 'HTTP 200 in the wrong shape answers UPSTREAM_BAD_RESPONSE',
    fault: (path) => ({ status: 200, body: path.wrongShape }),
    expected: BAD_RESPONSE,
  },
];

/** Keys of `extensions` the contract documents, per code. */
const DOCUMENTED_EXTENSIONS: Record<string, readonly string[]> = {
  BAD_USER_INPUT: ['code', 'field'],
  UNAUTHENTICATED: ['code'],
  FORBIDDEN: ['code'],
  RATE_LIMITED: ['code', 'retryAfter'],
  UPSTREAM_TIMEOUT: ['code'],
  UPSTREAM_UNAVAILABLE: ['code'],
  UPSTREAM_BAD_RESPONSE: ['code'],
  // Yoga's masking marks masked errors with `unexpected: true`.
  INTERNAL_SERVER_ERROR: ['code', 'unexpected'],
};

/** A stack frame or a source path, anywhere in a response. */
const STACK_OR_PATH = /\bat \S+ \(|\bat (file|node):|\/src\/|\.ts:\d+|node_modules/;

/** The whole answer of a failed operation: one error, no data, nothing undocumented. */
function expectError(reply: GraphQLReply, path: UpstreamPath, expected: ExpectedError): void {
  expect(reply.body).toEqual({
    data: null,
    errors: [{ message: expected.message, locations: expect.any(Array), path: [path.field], extensions: expected.extensions }],
  });
  expectClean(reply);
}

/** No stack, no source path, only documented `extensions` keys (every error also carries `requestId`). */
function expectClean(reply: GraphQLReply): void {
  expect(JSON.stringify(reply.body)).not.toMatch(STACK_OR_PATH);
  for (const error of reply.body.errors ?? []) {
    const code = String(error.extensions?.['code']);
    expect(DOCUMENTED_EXTENSIONS[code], `undocumented code ${code}`).toBeDefined();
    expect(Object.keys(error.extensions ?? {}).filter((key) => key !== 'requestId' && !DOCUMENTED_EXTENSIONS[code]?.includes(key))).toEqual([]);
  }
}

/** The operation worked: a token from the expected path. */
function expectSuccess(reply: GraphQLReply, path: UpstreamPath): void {
  expect(reply.body.errors).toBeUndefined();
  expect(reply.body.data?.[path.field]).toMatchObject({ token: { value: expect.stringMatching(/^eyJ/), via: path.via } });
}

const requestsTo = (harness: Harness, match: string) =>
  harness.sandbox.requests.filter((request) => `${request.method} ${request.path}` === match).length;

const NO_RESCUE = { GATEWAY_PATH_FAILOVER: 'false', GATEWAY_BREAKER_THRESHOLD: '1000' };

/** The transport's attempts per call: GETs are retried on failures that cannot repeat an effect. */
const MAX_ATTEMPTS = 3;

/** A fault the transport retries on an idempotent (GET) path. */
const retriedOn = (path: UpstreamPath, fault: Omit<FaultSpec, 'match' | 'times'>) =>
  path.match.startsWith('GET ') && (fault.drop !== undefined || [502, 503, 504].includes(fault.status ?? 0));

/**
 * Injects `fault` for one call (on a GET path, for every attempt of that call), runs the path,
 * checks the fault was used as often as the transport may try, then checks the path works again.
 */
async function underFault(harness: Harness, path: UpstreamPath, fault: Omit<FaultSpec, 'match' | 'times'>): Promise<GraphQLReply> {
  const attempts = retriedOn(path, fault) ? MAX_ATTEMPTS : 1;
  harness.sandbox.clearRequests();
  harness.sandbox.injectFault({ ...fault, match: path.match, times: attempts });
  const reply = await path.run(harness);
  expect(requestsTo(harness, path.match), 'the injected fault was used').toBe(attempts);
  harness.sandbox.clearFaults();
  expectSuccess(await path.run(harness), path);
  return reply;
}

describe('the error table, on every upstream path', () => {
  let h: Harness;
  beforeAll(async () => {
    // Each path's own answer to each fault: path failover (test/upstream/failover.test.ts) and
    // the circuit breaker (circuit-breaker.test.ts) would otherwise step in.
    h = await startHarness({ env: NO_RESCUE });
  });
  // Whatever a fault did to pooled connections, the gateway goes on serving.
  afterEach(async () => {
    h.sandbox.clearFaults();
    const login = PATHS[0] as UpstreamPath;
    expectSuccess(await login.run(h), login);
  });
  afterAll(() => h?.close());

  describe.each(PATHS)('$name', (path) => {
    it('works without a fault', async () => {
      expectSuccess(await path.run(h), path);
    });

    it.each(FAULTS)('$name', async ({ fault, expected }) => {
      expectError(await underFault(h, path, fault(path)), path, expected);
    });
  });

  describe('retries', () => {
    const sessionJwt = PATHS.find((path) => path.via === 'REST_SESSION_JWT') as UpstreamPath;
    const credentials = PATHS.find((path) => path.via === 'REST_CREDENTIALS') as UpstreamPath;

    it.each([
      { name: 'a dropped connection', fault: { drop: 'before-headers' } as const },
      { name: 'an HTML 502', fault: { status: 502, body: HTML_502, contentType: 'text/html' } },
    ])('a GET recovers from one $name by retrying', async ({ fault }) => {
      h.sandbox.clearRequests();
      h.sandbox.injectFault({ ...fault, match: sessionJwt.match, times: 1 });
      expectSuccess(await sessionJwt.run(h), sessionJwt);
      expect(requestsTo(h, sessionJwt.match)).toBe(2);
    });

    it('a POST the upstream may have seen is never replayed', async () => {
      h.sandbox.clearRequests();
      h.sandbox.injectFault({ drop: 'mid-body', match: credentials.match, times: 1 });
      expectError(await credentials.run(h), credentials, UNAVAILABLE);
      expect(requestsTo(h, credentials.match)).toBe(1);
    });
  });

  describe('REST error envelopes on the credentials path', () => {
    const credentials = PATHS.find((path) => path.via === 'REST_CREDENTIALS') as UpstreamPath;

    it.each([
      { envelope: 'the flat {code, message} shape', status: 400, body: '{"code":400,"message":"Customer auth failed"}' },
      { envelope: 'the bare {detail} shape', status: 400, body: '{"detail":"Customer auth failed"}' },
      {
        envelope: 'HTTP 200 whose B2B envelope says code 400',
        status: 200,
        body: '{"code":400,"data":{"errMsg":"Customer auth failed"},"meta":{"message":"Calling BC API failed"}}',
      },
      { envelope: 'a 401 in the B2B envelope', status: 401, body: '{"code":401,"data":{"errMsg":"Unauthorized"},"meta":{"message":"Unauthorized"}}' },
    ])('a refusal in $envelope answers UNAUTHENTICATED "Invalid email or password."', async ({ status, body }) => {
      expectError(await underFault(h, credentials, { status, body }), credentials, INVALID_LOGIN);
    });

    it('a 422 with field errors answers BAD_USER_INPUT naming the field', async () => {
      const body = '{"code":422,"data":{"errMsg":{"email":["Enter a valid email address."]}},"meta":{"message":"Parameter Error"}}';
      expectError(await underFault(h, credentials, { status: 422, body }), credentials, {
        message: 'input.credentials.email: Enter a valid email address.',
        extensions: { code: 'BAD_USER_INPUT', field: 'input.credentials.email', requestId: expect.any(String) },
      });
    });

    it('HTTP 200 whose envelope says code 429 answers RATE_LIMITED', async () => {
      expectError(
        await underFault(h, credentials, { status: 200, body: RATE_BODY, headers: { 'X-Request-Window-Resets-After': '30' } }),
        credentials,
        RATE_LIMITED(30),
      );
    });

    it('HTTP 200 whose envelope says code 500 answers UPSTREAM_UNAVAILABLE', async () => {
      expectError(await underFault(h, credentials, { status: 200, body: SERVER_ERROR_BODY }), credentials, UNAVAILABLE);
    });
  });

  describe('B2B GraphQL errors', () => {
    const graphqlPaths = PATHS.filter((path) => path.match === 'POST /graphql');

    it.each([
      { path: graphqlPaths[0] as UpstreamPath, expected: INVALID_LOGIN },
      { path: graphqlPaths[1] as UpstreamPath, expected: INVALID_TOKEN },
    ])('$path.name: error code 40101 answers UNAUTHENTICATED', async ({ path, expected }) => {
      const body = JSON.stringify({ errors: [{ message: 'Invalid token', extensions: { code: 40101 } }], data: { [path.field]: null } });
      expectError(await underFault(h, path, { status: 200, body }), path, expected);
    });

    it.each(graphqlPaths)('$name: "Cannot query field" (the upstream schema changed) answers UPSTREAM_BAD_RESPONSE', async (path) => {
      const body = '{"errors":[{"message":"Cannot query field \\"x\\" on type \\"Y\\"."}]}';
      expectError(await underFault(h, path, { status: 200, body }), path, BAD_RESPONSE);
    });

    it.each(graphqlPaths)('$name: an upstream refusing the variables answers UPSTREAM_BAD_RESPONSE, and no log line quotes their values', async (path) => {
      const quoted = 'Quoted-Secret-9f3a';
      const message = `Variable "$loginData" got invalid value { storeHash: "x", email: "a@b.c", password: "${quoted}" }; Field "tenant" of required type "String!" was not provided.`;
      h.logs.length = 0;
      expectError(await underFault(h, path, { status: 200, body: JSON.stringify({ errors: [{ message }] }) }), path, BAD_RESPONSE);
      expect(h.logs.some((line) => line.includes('does not accept the gateway')), h.logs.join('\n')).toBe(true);
      expect(h.logs.filter((line) => line.includes(quoted))).toEqual([]);
    });

    it.each(graphqlPaths)('$name: the same answer with HTTP 400 also answers UPSTREAM_BAD_RESPONSE', async (path) => {
      const body = '{"errors":[{"message":"Cannot query field \\"x\\" on type \\"Y\\"."}]}';
      expectError(await underFault(h, path, { status: 400, body }), path, BAD_RESPONSE);
    });
  });
});

describe('an upstream slower than B2B_TIMEOUT_MS (300 ms)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...NO_RESCUE, B2B_TIMEOUT_MS: '300' } });
  });
  afterEach(() => h.sandbox.clearFaults());
  afterAll(() => h?.close());

  it.each(PATHS)('$name answers UPSTREAM_TIMEOUT within the deadline, not after the upstream', async (path) => {
    // Fetched before the clock starts: the Current Customer JWT is not part of the exchange.
    h.sandbox.clearRequests();
    h.sandbox.injectFault({ match: path.match, latencyMs: 1500, times: 1 });
    const started = performance.now();
    const reply = await path.run(h);
    const elapsed = performance.now() - started;
    expect(requestsTo(h, path.match)).toBe(1);
    expectError(reply, path, TIMEOUT);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
    h.sandbox.clearFaults();
    expectSuccess(await path.run(h), path);
  });

  it('an upstream slower than usual but within the deadline still answers', async () => {
    const path = PATHS[0] as UpstreamPath;
    h.sandbox.injectFault({ match: path.match, latencyMs: 100, times: 1 });
    expectSuccess(await path.run(h), path);
  });
});

describe('an upstream that refuses connections', () => {
  let h: Harness;
  beforeAll(async () => {
    // A port that was free a moment ago and has nothing listening now.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    h = await startHarness({ env: { ...NO_RESCUE, B2B_API_URL: `http://127.0.0.1:${port}` } });
  });
  afterAll(() => h?.close());

  it.each(PATHS)('$name answers UPSTREAM_UNAVAILABLE', async (path) => {
    expectError(await path.run(h), path, UNAVAILABLE);
    expect(h.sandbox.requests).toEqual([]);
  });
});

describe('an X-Auth-Token the upstream refuses (an operator error)', () => {
  const WRONG_TOKEN = 'wrong-token-xxxxxxxx';
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { B2B_AUTH_TOKEN: WRONG_TOKEN } });
  });
  afterAll(() => h?.close());

  const serverTokenPaths = PATHS.filter((path) => path.via === 'REST_CREDENTIALS' || path.via === 'REST_CUSTOMER');

  it.each(serverTokenPaths)('$name answers "Unexpected error." and logs why, without the token', async (path) => {
    h.logs.length = 0;
    h.sandbox.clearRequests();
    const reply = await path.run(h);
    expect(h.sandbox.requests.map((request) => [`${request.method} ${request.path}`, request.headers['x-auth-token']])).toEqual([
      [path.match, WRONG_TOKEN],
    ]);
    expect(reply.body).toEqual({
      data: null,
      errors: [
        {
          message: 'Unexpected error.',
          locations: expect.any(Array),
          path: [path.field],
          extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }),
        },
      ],
    });
    expectClean(reply);
    const explained = h.logs.filter((line) => line.includes(path.match) && line.includes('403'));
    expect(explained, h.logs.join('\n')).not.toEqual([]);
    expect(explained.map((line) => (JSON.parse(line) as { level: string }).level)).toContain('error');
    expect(h.logs.filter((line) => line.includes(WRONG_TOKEN))).toEqual([]);
    expect(JSON.stringify(reply.body)).not.toContain(WRONG_TOKEN);
  });

  it('the session JWT path, which sends no server token, still works', async () => {
    const path = PATHS.find((item) => item.via === 'REST_SESSION_JWT') as UpstreamPath;
    expectSuccess(await path.run(h), path);
  });
});
