import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { Sampler } from '@opentelemetry/sdk-trace-base';
import type { SamplerName, TracingConfig } from '../config/observability.js';

/** The tracer's (instrumentation scope's) name. */
export const TRACER_NAME = 'b2b-auth-gateway';

// Incubating GraphQL conventions, copied rather than imported as the conventions package advises.
const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
/** The gateway's own: `ok` or the first error's `extensions.code`. */
export const ATTR_GATEWAY_OUTCOME = 'b2b_gateway.outcome';
/** The gateway's own: the upstream endpoint as metrics label it (`graphql login`, `GET /api/v3/io/users/:id`). */
export const ATTR_GATEWAY_UPSTREAM_ENDPOINT = 'b2b_gateway.upstream.endpoint';
/** The gateway's own: the request id (`X-Request-Id`), to go from a trace to its log lines. */
export const ATTR_GATEWAY_REQUEST_ID = 'b2b_gateway.request_id';

/** Outcomes that are the gateway's or the upstream's fault, not the caller's: the span is an error. */
const FAULT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'UPSTREAM_TIMEOUT', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_BAD_RESPONSE']);

/** What the request span learns by the time the answer leaves. */
export interface RequestSpanEnd {
  status: number;
  requestId: string;
  operationName: string | undefined;
  operationType: string | undefined;
  outcome: string | undefined;
}

/** An upstream call as the client span sees it. */
export interface UpstreamSpanStart {
  method: string;
  url: string;
  /** The endpoint's label, without ids (`GET /api/v3/io/users/:id`). */
  endpoint: string;
}

/** The gateway's tracing: spans for requests and upstream calls, W3C Trace Context in and out. */
export interface GatewayTracing {
  /** Starts the server span of a request, as a child of the caller's `traceparent` when it sent one. */
  startRequestSpan(request: Request, path: string): Span;
  /** Names the request span after its operation (`mutation Login`), sets the outcome and ends it. */
  endRequestSpan(span: Span, end: RequestSpanEnd): void;
  /**
   * Runs `work` (and everything it starts) with `span` as the request span upstream calls hang
   * under. An `AsyncLocalStorage`, paid for only when tracing is on.
   */
  runInRequestSpan<Result>(span: Span, work: () => Result): Result;
  /** Starts a client span under the running request's span and returns the headers (`traceparent`) that carry it upstream. */
  startUpstreamSpan(call: UpstreamSpanStart): { span: Span; headers: Record<string, string> };
  /** Ends an upstream span with the answer's status or the error's kind. */
  endUpstreamSpan(span: Span, outcome: { status?: number; errorKind?: string }): void;
  /** Flushes and stops what {@link createTracing} built; a provider passed in is left running. */
  shutdown(): Promise<void>;
}

const headersGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

/**
 * The gateway's tracing: on a `provider` passed in (tests, or an application that set up
 * OpenTelemetry itself), else on a provider built from `config`; `undefined` when neither, so the
 * hot path does no tracing work at all. Nothing global is registered: no global provider,
 * propagator or context manager.
 */
export async function createTracing(config: TracingConfig | undefined, provider?: TracerProvider): Promise<GatewayTracing | undefined> {
  if (provider !== undefined) return tracingOn(provider.getTracer(TRACER_NAME), async () => {});
  if (config === undefined) return undefined;
  // Loaded only when tracing is configured: a gateway without it never loads the SDK.
  const built = await buildProvider(config);
  return tracingOn(built.getTracer(TRACER_NAME), () => built.shutdown());
}

function tracingOn(tracer: Tracer, shutdown: () => Promise<void>): GatewayTracing {
  const propagator = new W3CTraceContextPropagator();
  const requestSpans = new AsyncLocalStorage<Span>();
  return {
    runInRequestSpan(span, work) {
      return requestSpans.run(span, work);
    },
    startRequestSpan(request, path) {
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, headersGetter);
      return tracer.startSpan(
        `${request.method} ${path}`,
        { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, [ATTR_URL_PATH]: path, [ATTR_HTTP_ROUTE]: path } },
        parent,
      );
    },
    endRequestSpan(span, end) {
      // The GraphQL conventions' span name: "{type} {name}", "{type}", or "GraphQL Operation".
      if (end.operationType !== undefined) span.updateName(end.operationName === undefined ? end.operationType : `${end.operationType} ${end.operationName}`);
      else if (end.outcome !== undefined) span.updateName('GraphQL Operation');
      const attributes: Attributes = { [ATTR_HTTP_RESPONSE_STATUS_CODE]: end.status, [ATTR_GATEWAY_REQUEST_ID]: end.requestId };
      if (end.operationName !== undefined) attributes[ATTR_GRAPHQL_OPERATION_NAME] = end.operationName;
      if (end.operationType !== undefined) attributes[ATTR_GRAPHQL_OPERATION_TYPE] = end.operationType;
      if (end.outcome !== undefined) attributes[ATTR_GATEWAY_OUTCOME] = end.outcome;
      span.setAttributes(attributes);
      // A caller's mistake (bad input, wrong password) is not a server error; our faults and the upstream's are.
      if (end.status >= 500 || (end.outcome !== undefined && FAULT_CODES.has(end.outcome))) {
        span.setAttribute(ATTR_ERROR_TYPE, end.outcome !== undefined && end.outcome !== 'ok' ? end.outcome : String(end.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
    startUpstreamSpan(call) {
      const parent = requestSpans.getStore();
      const url = new URL(call.url);
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      // Named like the metrics' endpoint label and the circuit: one name for one route everywhere.
      const span = tracer.startSpan(
        call.endpoint,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: call.method,
            [ATTR_SERVER_ADDRESS]: url.hostname,
            [ATTR_SERVER_PORT]: port,
            [ATTR_URL_SCHEME]: url.protocol.replace(/:$/, ''),
            // The path only: a query string may carry what a trace backend should not keep.
            [ATTR_URL_PATH]: url.pathname,
            [ATTR_GATEWAY_UPSTREAM_ENDPOINT]: call.endpoint,
          },
        },
        parent === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, parent),
      );
      const headers: Record<string, string> = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
      return { span, headers };
    },
    endUpstreamSpan(span, outcome) {
      if (outcome.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
      const failed = outcome.errorKind ?? (outcome.status !== undefined && outcome.status >= 400 ? String(outcome.status) : undefined);
      if (failed !== undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, failed);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
    shutdown,
  };
}

async function buildProvider(config: TracingConfig) {
  const [{ BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, ...samplers }, { defaultResource, resourceFromAttributes }] =
    await Promise.all([import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/resources')]);
  const spanProcessors = await Promise.all(
    config.exporters.map(async (exporter) => {
      if (exporter.kind === 'console') return new SimpleSpanProcessor(new ConsoleSpanExporter());
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      // Explicit values, so the exporter does not read the environment again behind `loadConfig`'s back.
      return new BatchSpanProcessor(new OTLPTraceExporter({ url: exporter.url, headers: exporter.headers, timeoutMillis: exporter.timeoutMs }));
    }),
  );
  const ratio = () => new samplers.TraceIdRatioBasedSampler(config.samplerRatio);
  const samplerOf: Record<SamplerName, () => Sampler> = {
    always_on: () => new samplers.AlwaysOnSampler(),
    always_off: () => new samplers.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: () => new samplers.ParentBasedSampler({ root: new samplers.AlwaysOnSampler() }),
    parentbased_always_off: () => new samplers.ParentBasedSampler({ root: new samplers.AlwaysOffSampler() }),
    parentbased_traceidratio: () => new samplers.ParentBasedSampler({ root: ratio() }),
  };
  return new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ ...config.resourceAttributes, [ATTR_SERVICE_NAME]: config.serviceName })),
    sampler: samplerOf[config.sampler](),
    spanProcessors,
  });
}
