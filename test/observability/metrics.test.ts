// `/metrics`: the Prometheus exposition scraped after real traffic (gateway → HTTP → sandbox).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayMetrics } from '../../src/observability/metrics.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { type Harness, LOGIN, startHarness, TRUSTED_KEY } from '../harness.js';

const buyer = SANDBOX_USERS.buyer;
const ENTITIES = 'query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on B2BUser { id email } } }';

/** GETs `/metrics` of the harness's gateway. */
async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; body: string }> {
  const response = await fetch(h.url.replace(/\/graphql$/, '/metrics'), { headers });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** The sample lines of `name` (with its labels), value included, in exposition order. */
const samples = (exposition: string, name: string) => exposition.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

/** Upstream call counts; a B2B GraphQL operation's name in lower case, whichever case the upstream document spells it in. */
const upstreamCounts = (exposition: string) =>
  samples(exposition, 'gateway_upstream_request_duration_seconds_count').map((line) =>
    line.replace(/endpoint="graphql (\w+)"/, (_match, operation: string) => `endpoint="graphql ${operation.toLowerCase()}"`),
  );

describe('/metrics after traffic', () => {
  let h: Harness;
  let exposition: string;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEWAY_PATH_FAILOVER: 'false' } });
    await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    await h.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-password' } });
    h.sandbox.injectFault({ match: 'POST /graphql', status: 503, body: '{"errors":[{"message":"Service Unavailable"}]}', times: 1 });
    await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    h.sandbox.injectFault({ match: 'POST /graphql', status: 429, body: '{"errors":[{"message":"Too many requests"}]}', headers: { 'retry-after': '3' }, times: 1 });
    await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    await h.graphql(ENTITIES, { r: [{ __typename: 'B2BUser', id: String(buyer.userId) }] }, { 'x-gateway-key': TRUSTED_KEY });
    await h.graphql('{ __typename }');
    await h.graphql('query Broken { nope }');
    const scraped = await scrape(h);
    expect(scraped.status).toBe(200);
    expect(scraped.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    exposition = scraped.body;
  });
  afterAll(() => h?.close());

  it('counts GraphQL requests by operation name and outcome code', () => {
    expect(samples(exposition, 'gateway_graphql_requests_total').sort()).toEqual(
      [
        'gateway_graphql_requests_total{operation="Login",code="ok"} 1',
        'gateway_graphql_requests_total{operation="Login",code="UNAUTHENTICATED"} 1',
        'gateway_graphql_requests_total{operation="Login",code="UPSTREAM_UNAVAILABLE"} 1',
        'gateway_graphql_requests_total{operation="Login",code="RATE_LIMITED"} 1',
        'gateway_graphql_requests_total{operation="Entities",code="ok"} 1',
        'gateway_graphql_requests_total{operation="anonymous",code="ok"} 1',
        'gateway_graphql_requests_total{operation="Broken",code="GRAPHQL_VALIDATION_FAILED"} 1',
      ].sort(),
    );
  });

  it('has a latency histogram per operation and outcome', () => {
    const login = samples(exposition, 'gateway_graphql_request_duration_seconds_bucket').filter((line) => line.includes('operation="Login",code="ok"'));
    expect(login.map((line) => /le="([^"]+)"/.exec(line)?.[1])).toEqual(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '+Inf']);
    expect(login.at(-1)).toBe('gateway_graphql_request_duration_seconds_bucket{le="+Inf",operation="Login",code="ok"} 1');
    expect(samples(exposition, 'gateway_graphql_request_duration_seconds_count')).toContain('gateway_graphql_request_duration_seconds_count{operation="Login",code="UNAUTHENTICATED"} 1');
    const [sum] = samples(exposition, 'gateway_graphql_request_duration_seconds_sum').filter((line) => line.includes('operation="Login",code="ok"'));
    expect(Number(sum?.split(' ')[1])).toBeGreaterThan(0);
  });

  it('times upstream calls by endpoint (ids as :id) and HTTP status', () => {
    expect(upstreamCounts(exposition).sort()).toEqual(
      [
        'gateway_upstream_request_duration_seconds_count{endpoint="graphql login",status="200"} 2',
        'gateway_upstream_request_duration_seconds_count{endpoint="graphql login",status="503"} 1',
        'gateway_upstream_request_duration_seconds_count{endpoint="graphql login",status="429"} 1',
        'gateway_upstream_request_duration_seconds_count{endpoint="GET /api/v3/io/users/:id",status="200"} 1',
      ].sort(),
    );
    expect(exposition).not.toContain(`/users/${buyer.userId}`);
  });

  it('counts rate-limit rejections by source', () => {
    expect(samples(exposition, 'gateway_rate_limited_total')).toEqual(['gateway_rate_limited_total{source="upstream"} 1']);
  });

  it('reports each circuit: 0 closed', () => {
    expect(samples(exposition, 'gateway_upstream_circuit_state').sort()).toEqual(
      ['gateway_upstream_circuit_state{path="graphql login"} 0', 'gateway_upstream_circuit_state{path="GET /api/v3/io/users/:id @sandbox"} 0'].sort(),
    );
  });

  it('reports BigCommerce reachable: gateway_upstream_up 1', () => {
    expect(samples(exposition, 'gateway_upstream_up')).toEqual(['gateway_upstream_up{upstream="b2b"} 1']);
  });

  it("exports Node's process metrics too", () => {
    expect(exposition).toMatch(/^process_cpu_seconds_total \d/m);
    expect(exposition).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('never shows a password, a token or the X-Auth-Token', () => {
    for (const secret of [buyer.password, h.sandbox.authToken, TRUSTED_KEY]) expect(exposition).not.toContain(secret);
    expect(exposition).not.toMatch(/eyJ/);
  });
});

describe('/metrics: the credential limiter and the circuits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '1', GATEWAY_BREAKER_THRESHOLD: '1', GATEWAY_PATH_FAILOVER: 'false' } });
  });
  afterAll(() => h?.close());
  afterEach(() => h.sandbox.clearFaults());

  it("counts the credential limiter's RATE_LIMITED answers", async () => {
    await h.graphql(LOGIN, { input: { email: 'nobody@example.com', password: 'wrong' } });
    const refused = await h.graphql(LOGIN, { input: { email: 'nobody@example.com', password: 'wrong' } });
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    const { body } = await scrape(h);
    expect(samples(body, 'gateway_rate_limited_total')).toEqual(['gateway_rate_limited_total{source="credential_limiter"} 1']);
    expect(samples(body, 'gateway_graphql_requests_total')).toContain('gateway_graphql_requests_total{operation="Login",code="RATE_LIMITED"} 1');
  });

  it('shows an open circuit as 2, read at scrape time', async () => {
    h.sandbox.injectFault({ match: 'POST /graphql', drop: 'before-headers' });
    const failed = await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    expect(failed.body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(h.gateway.upstream.circuits()).toEqual({ 'graphql login': 'open' });
    const { body } = await scrape(h);
    expect(samples(body, 'gateway_upstream_circuit_state')).toEqual(['gateway_upstream_circuit_state{path="graphql login"} 2']);
    expect(upstreamCounts(body)).toContain(
      'gateway_upstream_request_duration_seconds_count{endpoint="graphql login",status="network_error"} 1',
    );
  });
});

describe('/metrics access', () => {
  const harnesses: Harness[] = [];
  const start = async (env: Record<string, string>) => {
    const h = await startHarness({ env });
    harnesses.push(h);
    return h;
  };
  afterAll(() => Promise.all(harnesses.map((h) => h.close())));

  it('in production, answers 401 without a trusted key, and the exposition with X-Gateway-Key or a Bearer key', async () => {
    const h = await start({ NODE_ENV: 'production' });
    const refused = await scrape(h);
    expect(refused).toEqual({
      status: 401,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ error: 'The metrics need a trusted key: X-Gateway-Key or Authorization: Bearer.' }),
    });
    expect((await scrape(h, { 'x-gateway-key': 'not-the-key-0123456789' })).status).toBe(401);
    expect((await scrape(h, { authorization: 'Bearer not-the-key-0123456789' })).status).toBe(401);
    expect((await scrape(h, { 'x-gateway-key': TRUSTED_KEY })).body).toContain('# TYPE gateway_graphql_requests_total counter');
    expect((await scrape(h, { authorization: `Bearer ${TRUSTED_KEY}` })).body).toContain('# TYPE gateway_graphql_requests_total counter');
  });

  it('in production with GATEWAY_METRICS_PUBLIC=true, answers anyone', async () => {
    const h = await start({ NODE_ENV: 'production', GATEWAY_METRICS_PUBLIC: 'true' });
    expect((await scrape(h)).status).toBe(200);
  });

  it('outside production, answers anyone', async () => {
    const h = await start({});
    expect((await scrape(h)).status).toBe(200);
  });

  it('answers 405 to a POST', async () => {
    const h = await start({});
    const response = await fetch(h.url.replace(/\/graphql$/, '/metrics'), { method: 'POST' });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

describe('createGatewayMetrics', () => {
  it('labels operation names past the cap as "other", so callers cannot grow the scrape without end', async () => {
    const metrics = createGatewayMetrics({ maxOperationNames: 2, processMetrics: false });
    for (const name of ['A', 'B', 'C', 'D', 'A']) metrics.recordRequest(name, 'ok', 0.01);
    metrics.recordRequest(undefined, 'ok', 0.01);
    const { body } = await metrics.scrape();
    expect(samples(body, 'gateway_graphql_requests_total').sort()).toEqual(
      [
        'gateway_graphql_requests_total{operation="A",code="ok"} 2',
        'gateway_graphql_requests_total{operation="B",code="ok"} 1',
        'gateway_graphql_requests_total{operation="other",code="ok"} 2',
        'gateway_graphql_requests_total{operation="anonymous",code="ok"} 1',
      ].sort(),
    );
  });

  it('has no gateway_upstream_up sample until a probe is watched', async () => {
    const metrics = createGatewayMetrics({ processMetrics: false });
    expect(samples((await metrics.scrape()).body, 'gateway_upstream_up')).toEqual([]);
    metrics.watchUpstream(() => Promise.resolve(false));
    expect(samples((await metrics.scrape()).body, 'gateway_upstream_up')).toEqual(['gateway_upstream_up{upstream="b2b"} 0']);
  });

  it('keeps each gateway in a registry of its own', async () => {
    const first = createGatewayMetrics({ processMetrics: false });
    const second = createGatewayMetrics({ processMetrics: false });
    first.recordRateLimited('upstream');
    expect(samples((await first.scrape()).body, 'gateway_rate_limited_total')).toEqual(['gateway_rate_limited_total{source="upstream"} 1']);
    expect(samples((await second.scrape()).body, 'gateway_rate_limited_total')).toEqual([]);
  });
});
