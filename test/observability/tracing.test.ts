// OpenTelemetry tracing with an in-memory exporter: a server span per GraphQL request, a client
// span per upstream call, and W3C `traceparent` out to the upstream and in from the caller.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createTracing } from '../../src/observability/tracing.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { type Harness, LOGIN, startHarness } from '../harness.js';

const buyer = SANDBOX_USERS.buyer;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

/** `00-<trace id>-<span id>-<flags>` of a sandbox request, split. */
function traceparentOf(header: string | undefined): { traceId: string; spanId: string } {
  const match = TRACEPARENT.exec(header ?? '');
  expect(match, `traceparent ${header}`).not.toBeNull();
  return { traceId: match?.[1] ?? '', spanId: match?.[2] ?? '' };
}

describe('tracing on an injected provider', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ gateway: { tracerProvider: provider }, env: { GATEWAY_PATH_FAILOVER: 'false' } });
  });
  afterAll(async () => {
    await h?.close();
    await provider.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    h.sandbox.clearRequests();
    h.sandbox.clearFaults();
  });

  const spans = () => exporter.getFinishedSpans();
  const serverSpan = () => spans().find((span) => span.kind === SpanKind.SERVER) as ReadableSpan;
  const clientSpans = () => spans().filter((span) => span.kind === SpanKind.CLIENT);

  it('makes a server span per request and a child client span per upstream call, and sends its traceparent upstream', async () => {
    const reply = await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    expect(reply.status).toBe(200);

    const server = serverSpan();
    expect(server.name).toBe('mutation Login');
    expect(server.attributes).toEqual({
      'http.request.method': 'POST',
      'url.path': '/graphql',
      'http.route': '/graphql',
      'http.response.status_code': 200,
      'b2b_gateway.request_id': reply.headers.get('x-request-id'),
      'graphql.operation.name': 'Login',
      'graphql.operation.type': 'mutation',
      'b2b_gateway.outcome': 'ok',
    });
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.status.code).toBe(SpanStatusCode.UNSET);

    const [client] = clientSpans();
    expect(clientSpans()).toHaveLength(1);
    expect(client?.name.toLowerCase()).toBe('graphql login');
    expect(client?.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(client?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    const port = Number(new URL(h.sandbox.url).port);
    expect(client?.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': port,
      'url.scheme': 'http',
      'url.path': '/graphql',
      'b2b_gateway.upstream.endpoint': client?.name,
      'http.response.status_code': 200,
    });

    // The upstream got the client span's context: same trace, the client span as parent.
    expect(h.sandbox.requests).toHaveLength(1);
    const sent = traceparentOf(h.sandbox.requests[0]?.headers['traceparent']);
    expect(sent).toEqual({ traceId: server.spanContext().traceId, spanId: client?.spanContext().spanId });
  });

  it("puts the trace id beside the request id in the request's log lines", async () => {
    h.logs.length = 0;
    const reply = await h.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-password' } });
    const lines = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry['msg'] === 'operation failed');
    expect(lines).toEqual([expect.objectContaining({ code: 'UNAUTHENTICATED', requestId: reply.headers.get('x-request-id'), traceId: serverSpan().spanContext().traceId })]);
  });

  it("continues the caller's trace from an incoming traceparent", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpanId = 'b7ad6b7169203331';
    await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } }, { traceparent: `00-${traceId}-${callerSpanId}-01` });

    const server = serverSpan();
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext).toMatchObject({ traceId, spanId: callerSpanId, isRemote: true });
    expect(traceparentOf(h.sandbox.requests[0]?.headers['traceparent']).traceId).toBe(traceId);
  });

  it('marks a failed upstream call and an UPSTREAM_* outcome as errors, with their kind', async () => {
    h.sandbox.injectFault({ match: 'POST /graphql', status: 503, body: '{"errors":[{"message":"Service Unavailable"}]}', times: 1 });
    await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });

    const server = serverSpan();
    expect(server.attributes['b2b_gateway.outcome']).toBe('UPSTREAM_UNAVAILABLE');
    expect(server.attributes['error.type']).toBe('UPSTREAM_UNAVAILABLE');
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    const [client] = clientSpans();
    expect(client?.attributes['http.response.status_code']).toBe(503);
    expect(client?.attributes['error.type']).toBe('503');
    expect(client?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("leaves a caller's mistake (a wrong password) unmarked on the server span", async () => {
    await h.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-password' } });
    expect(serverSpan().attributes['b2b_gateway.outcome']).toBe('UNAUTHENTICATED');
    expect(serverSpan().status.code).toBe(SpanStatusCode.UNSET);
  });

  it('names an REST call by its route, ids as :id', async () => {
    await h.graphql('query User($r: [_Any!]!) { _entities(representations: $r) { ... on B2BUser { id } } }', {
      r: [{ __typename: 'B2BUser', id: String(buyer.userId) }],
    }, { 'x-gateway-key': 'test-trusted-key-0123456789abcdef' });
    expect(serverSpan().name).toBe('query User');
    const [client] = clientSpans();
    expect(client?.name).toBe('GET /api/v3/io/users/:id');
    expect(client?.attributes['url.path']).toBe(`/api/v3/io/users/${buyer.userId}`);
  });

  it('never records variables, passwords or tokens in a span', async () => {
    const reply = await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    const token = (reply.body.data?.['login'] as { token: { value: string } }).token.value;
    // The request's server span and its upstream call's client span were both recorded.
    expect(spans().map((span) => span.kind).sort()).toEqual([SpanKind.SERVER, SpanKind.CLIENT].sort());
    const recorded = JSON.stringify(spans().map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })));
    for (const secret of [buyer.password, buyer.email, token, h.sandbox.authToken]) expect(recorded).not.toContain(secret);
  });

  it('makes no span for /health or /metrics', async () => {
    await fetch(h.url.replace(/\/graphql$/, '/health'));
    await fetch(h.url.replace(/\/graphql$/, '/metrics'));
    expect(spans()).toEqual([]);
  });
});

describe('tracing off (no OTEL_* variables)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('sends no traceparent upstream', async () => {
    await h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    expect(h.sandbox.requests.map((request) => request.headers['traceparent'])).toEqual([undefined]);
  });

  it('builds no tracing at all', async () => {
    expect(loadConfig({}).observability.tracing).toBeUndefined();
    expect(await createTracing(undefined)).toBeUndefined();
  });
});

describe('tracing configuration from OTEL_* variables', () => {
  const tracingOf = (env: Record<string, string>) => loadConfig(env).observability.tracing;

  it('is off unless an exporter or an OTLP endpoint is named', () => {
    expect(tracingOf({ OTEL_SERVICE_NAME: 'checkout-auth' })).toBeUndefined();
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBeUndefined();
    expect(tracingOf({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBeUndefined();
  });

  it('reads the OTLP endpoint, headers, timeout, service name, resource attributes and sampler', () => {
    expect(
      tracingOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D,x-team=auth',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=gateway',
        OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
        OTEL_SERVICE_NAME: 'checkout-auth',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=ignored',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toEqual({
      serviceName: 'checkout-auth',
      resourceAttributes: { 'deployment.environment': 'prod', 'service.name': 'ignored' },
      exporters: [{ kind: 'otlp', url: 'http://collector:4318/v1/traces', headers: { 'x-api-key': 'abc==', 'x-team': 'gateway' }, timeoutMs: 5000 }],
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
  });

  it('takes the traces endpoint as the whole URL, and defaults the service name', () => {
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp,console', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://otlp.example/custom/traces' })).toEqual({
      serviceName: 'b2b-auth-gateway',
      resourceAttributes: {},
      exporters: [{ kind: 'otlp', url: 'https://otlp.example/custom/traces', headers: {}, timeoutMs: 10_000 }, { kind: 'console' }],
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
    expect(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp' })?.exporters).toEqual([{ kind: 'otlp', url: 'http://localhost:4318/v1/traces', headers: {}, timeoutMs: 10_000 }]);
  });

  it('refuses bad values, naming the variable and never the headers', () => {
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json/);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadConfig({ GATEWAY_METRICS_PUBLIC: 'yes' })).toThrow(/GATEWAY_METRICS_PUBLIC: must be true or false/);
    let message = '';
    try {
      loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'Sup3rSecretApiKey' });
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: must be a comma-separated list of key=value/);
    expect(message).not.toContain('Sup3rSecretApiKey');
  });

  it('builds a provider from the configuration and shuts it down', async () => {
    const tracing = await createTracing(tracingOf({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }));
    expect(tracing).toBeDefined();
    await tracing?.shutdown();
  });
});
