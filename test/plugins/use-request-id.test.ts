// The request id: taken from `X-Request-Id` or generated, returned in the `X-Request-Id` header
// of every answer, in `extensions.requestId` of every error, and in the log lines of the request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestIdFrom } from '../../src/observability/request-scope.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { type Harness, LOGIN, startHarness } from '../harness.js';

const buyer = SANDBOX_USERS.buyer;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { B2B_TIMEOUT_MS: '2000' } });
});
afterAll(() => h?.close());
beforeEach(() => {
  h.sandbox.clearFaults();
  h.sandbox.clearRequests();
});

const at = (path: string) => h.url.replace(/\/graphql$/, path);

/** The parsed log lines that carry `requestId`. */
const linesOf = (requestId: string) =>
  h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['requestId'] === requestId);

/** Every error of a JSON answer, and the id the header gave. */
async function errorsAndId(response: Response): Promise<{ status: number; requestId: string | null; ids: unknown[] }> {
  const body = (await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
  return { status: response.status, requestId: response.headers.get('x-request-id'), ids: (body.errors ?? []).map((error) => error.extensions?.['requestId']) };
}

describe('the X-Request-Id header', () => {
  it('is a new UUID when the caller sends none', async () => {
    const reply = await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-request-id')).toMatch(UUID);
  });

  it("is the caller's own when it is 1 to 128 printable characters", async () => {
    for (const id of ['abc-123', 'req 42/edge:7', 'x'.repeat(128)]) {
      const reply = await h.graphql('{ __typename }', undefined, { 'x-request-id': id });
      expect(reply.headers.get('x-request-id')).toBe(id);
    }
  });

  it("replaces a caller's id that is too long or not printable ASCII", async () => {
    for (const id of ['x'.repeat(129), 'café-1']) {
      const reply = await h.graphql('{ __typename }', undefined, { 'x-request-id': id });
      expect(reply.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it('is on every answer: /health, /readiness, /metrics, an unknown path, a CORS preflight, 4xx and 5xx', async () => {
    const answers = await Promise.all([
      fetch(at('/health')),
      fetch(at('/readiness')),
      fetch(at('/metrics')),
      fetch(at('/nowhere')),
      fetch(h.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } }),
      fetch(h.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}' }),
      fetch(h.url, { method: 'PUT', headers: JSON_HEADERS, body: '{"query":"{ __typename }"}' }),
      fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<query/>' }),
    ]);
    expect(answers.map((response) => [response.status, UUID.test(response.headers.get('x-request-id') ?? '')])).toEqual([
      [200, true],
      [200, true],
      [200, true],
      [404, true],
      [204, true],
      [403, true],
      [405, true],
      [415, true],
    ]);
  });
});

describe('extensions.requestId', () => {
  it("is in a mapped error (a wrong password), equal to the header, and in that request's log lines", async () => {
    const reply = await h.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-password' } }, { 'x-request-id': 'login-wrong-1' });
    expect(reply.body.errors).toEqual([
      {
        message: 'Invalid email or password.',
        locations: [{ line: 3, column: 5 }],
        path: ['login'],
        extensions: { code: 'UNAUTHENTICATED', requestId: 'login-wrong-1' },
      },
    ]);
    expect(reply.headers.get('x-request-id')).toBe('login-wrong-1');
    expect(linesOf('login-wrong-1')).toContainEqual(expect.objectContaining({ level: 'info', msg: 'operation failed', code: 'UNAUTHENTICATED', path: 'login' }));
  });

  it("is in a masked error, and in Yoga's log line with its cause", async () => {
    const login = await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    const token = (login.body.data?.['login'] as { token: { value: string } }).token.value;
    h.sandbox.injectFault({
      match: 'POST /graphql',
      status: 200,
      body: '{"errors":[{"message":"Something broke","extensions":{"code":50000}}],"data":{"currentUser":null}}',
      times: 1,
    });
    const reply = await h.graphql('query Viewer { viewer { id } }', undefined, { authorization: `Bearer ${token}` });
    const requestId = reply.headers.get('x-request-id') ?? '';
    expect(reply.body.errors).toEqual([
      {
        message: 'Unexpected error.',
        locations: [{ line: 1, column: 16 }],
        path: ['viewer'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.stringMatching(UUID) },
      },
    ]);
    expect(reply.body.errors?.[0]?.extensions?.['requestId']).toBe(requestId);
    const masked = linesOf(requestId).filter((entry) => entry['level'] === 'error');
    expect(masked).toEqual([
      expect.objectContaining({ err: expect.objectContaining({ cause: expect.objectContaining({ name: 'UpstreamGraphQLError', message: expect.stringContaining('Something broke') }) }) }),
    ]);
  });

  it('is in request errors: bad JSON, a parse error, a validation error, bad variables, CSRF, a body too large, a bad GET parameter', async () => {
    const post = (body: string, headers: Record<string, string> = JSON_HEADERS) => fetch(h.url, { method: 'POST', headers, body });
    const answers = await Promise.all([
      post('{"query": '),
      post('{"query":"{ viewer "}'),
      post('{"query":"{ nope }"}'),
      post(JSON.stringify({ query: LOGIN, variables: { input: { email: 42 } } })),
      post('query={__typename}', { 'content-type': 'application/x-www-form-urlencoded' }),
      post(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(70_000) })),
      fetch(`${h.url}?query=${encodeURIComponent('{ __typename }')}&variables=%7Bnot-json`, { headers: { 'x-graphql-yoga-csrf': '1', accept: 'application/json' } }),
    ]);
    const results = await Promise.all(answers.map(errorsAndId));
    expect(results.map(({ status }) => status)).toEqual([400, 400, 400, 400, 403, 413, 400]);
    for (const { requestId, ids } of results) {
      expect(requestId).toMatch(UUID);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(id).toBe(requestId);
    }
  });

  it('is a fresh id per request, so one request never carries another one', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => h.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-password' } })),
    );
    const ids = replies.map((reply) => reply.body.errors?.[0]?.extensions?.['requestId']);
    expect(new Set(ids).size).toBe(10);
    for (const reply of replies) expect(reply.body.errors?.[0]?.extensions?.['requestId']).toBe(reply.headers.get('x-request-id'));
  });
});

describe('parameters of the wrong type', () => {
  // Found by the fuzzer: an operationName object without a callable toString once reached a
  // regular expression and answered 500.
  it('answer a 4xx GraphQL error with the request id, never a 500', async () => {
    const bodies: Array<Record<string, unknown>> = [
      { query: '{ __typename }', operationName: { toString: false } },
      { query: '{ __typename }', operationName: { valueOf: null, toString: null } },
      { query: '{ __typename }', operationName: ['A'] },
      { query: { value: 'x' }, operationName: { toString: false }, extensions: { persistedQuery: 'x' } },
    ];
    for (const body of bodies) {
      const response = await fetch(h.url, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
      const { status, requestId, ids } = await errorsAndId(response);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => id === requestId)).toBe(true);
    }
  });
});

describe('log lines', () => {
  it('carry the request id only while that request runs', async () => {
    h.logs.length = 0;
    await h.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-password' } }, { 'x-request-id': 'log-scope-1' });
    const lines = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((entry) => entry['requestId'] === 'log-scope-1')).toBe(true);
  });
});

describe('concurrent requests', () => {
  it("each log and answer with their own id, never another request's", async () => {
    h.logs.length = 0;
    const ids = Array.from({ length: 12 }, (_, index) => `concurrent-${index}`);
    const replies = await Promise.all(
      ids.map((id) => h.graphql(LOGIN, { input: { email: `nobody-${id}@example.com`, password: 'wrong-password' } }, { 'x-request-id': id })),
    );
    replies.forEach((reply, index) => {
      expect(reply.headers.get('x-request-id')).toBe(ids[index]);
      expect(reply.body.errors?.[0]?.extensions?.['requestId']).toBe(ids[index]);
    });
    for (const id of ids) {
      const failed = linesOf(id).filter((entry) => entry['msg'] === 'operation failed');
      expect(failed, id).toHaveLength(1);
      expect(failed[0]).toMatchObject({ code: 'UNAUTHENTICATED', path: 'login' });
    }
  });
});

describe('requestIdFrom', () => {
  it('keeps printable ASCII up to 128 characters and generates a UUID otherwise', () => {
    expect(requestIdFrom('a')).toBe('a');
    expect(requestIdFrom('~!@# $%^&*()')).toBe('~!@# $%^&*()');
    for (const bad of [null, '', 'x'.repeat(129), 'tab\there', 'line\nbreak', 'ünïcode', '\u0000']) expect(requestIdFrom(bad)).toMatch(UUID);
  });
});
