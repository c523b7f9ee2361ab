import { z } from 'zod';
import { optionalText } from './optional-text.js';

/** The sampler names of the OpenTelemetry specification (`OTEL_TRACES_SAMPLER`). */
export const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** Where finished spans go. */
export type SpanExporterConfig =
  | {
      kind: 'otlp';
      /** The OTLP/HTTP traces URL, e.g. `http://collector:4318/v1/traces`. */
      url: string;
      /** Sent with every export, e.g. a vendor's API key. Secrets: never logged. */
      headers: Record<string, string>;
      /** Deadline of one export, in milliseconds. @default 10000 */
      timeoutMs: number;
    }
  | {
      /** Spans printed on stdout, for a look during development. */
      kind: 'console';
    };

/** OpenTelemetry tracing, from the standard `OTEL_*` variables. */
export interface TracingConfig {
  /** `service.name` of every span. `OTEL_SERVICE_NAME`. @default 'b2b-auth-gateway' */
  serviceName: string;
  /** More resource attributes (`deployment.environment`, …). `OTEL_RESOURCE_ATTRIBUTES`. @default {} */
  resourceAttributes: Record<string, string>;
  /** At least one. `OTEL_TRACES_EXPORTER`, `OTEL_EXPORTER_OTLP_*`. */
  exporters: SpanExporterConfig[];
  /** `OTEL_TRACES_SAMPLER`. @default 'parentbased_always_on' */
  sampler: SamplerName;
  /** For the `*traceidratio` samplers, 0 to 1. `OTEL_TRACES_SAMPLER_ARG`. @default 1 */
  samplerRatio: number;
}

/** `/metrics` and tracing. */
export interface ObservabilityConfig {
  /**
   * Serve `/metrics` to anyone in production too. By default production answers it only to a
   * trusted caller (`X-Gateway-Key: <key>` or `Authorization: Bearer <key>`), since it tells who
   * uses the gateway how much. `GATEWAY_METRICS_PUBLIC`.
   * @default false
   */
  metricsPublic: boolean;
  /** `undefined`: tracing is off, and costs nothing. */
  tracing: TracingConfig | undefined;
}

const DEFAULT_SERVICE_NAME = 'b2b-auth-gateway';

const httpUrl = optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional());

/** `key=value,key2=value2`, values percent-encoded (W3C Baggage octets), as OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES are. */
const keyValueList = optionalText.transform((value, context) => {
  const pairs: Record<string, string> = {};
  for (const item of (value ?? '').split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    const key = item.slice(0, equals).trim();
    if (equals < 1 || key === '') {
      // Never quote the item: header values are API keys.
      context.addIssue({ code: 'custom', message: 'must be a comma-separated list of key=value' });
      return z.NEVER;
    }
    try {
      pairs[key] = decodeURIComponent(item.slice(equals + 1).trim());
    } catch {
      context.addIssue({ code: 'custom', message: `the value of "${key}" is not valid percent-encoding` });
      return z.NEVER;
    }
  }
  return pairs;
});

const optionalNumber = (schema: z.ZodNumber) =>
  optionalText.transform((value) => (value === undefined ? undefined : Number(value))).pipe(schema.optional());

const milliseconds = optionalNumber(z.number().int().positive());

// Only OTLP over HTTP is built in; a collector's OTLP/HTTP receiver takes JSON and protobuf alike.
const protocol = optionalText.pipe(z.enum(['http/protobuf', 'http/json'], 'must be http/protobuf or http/json (OTLP over gRPC is not built in)').optional());

/** The variables {@link readObservabilityConfig} reads: the standard `OTEL_*` ones and `GATEWAY_METRICS_PUBLIC`. */
export const observabilitySchema = z.object({
  OTEL_SDK_DISABLED: optionalText.transform((value) => value?.toLowerCase() === 'true'),
  OTEL_TRACES_EXPORTER: optionalText.pipe(
    z
      .string()
      .transform((value) => value.split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== ''))
      .pipe(z.array(z.enum(['otlp', 'console', 'none'], 'lists otlp, console or none')))
      .optional(),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TIMEOUT: milliseconds,
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: milliseconds,
  OTEL_SERVICE_NAME: optionalText,
  OTEL_RESOURCE_ATTRIBUTES: keyValueList,
  OTEL_TRACES_SAMPLER: optionalText.pipe(z.enum(SAMPLERS, `must be one of ${SAMPLERS.join(', ')}`).optional()),
  OTEL_TRACES_SAMPLER_ARG: optionalNumber(z.number().min(0).max(1)),
  GATEWAY_METRICS_PUBLIC: optionalText.pipe(z.enum(['true', 'false'], 'must be true or false').optional()),
});

/**
 * Reads the observability variables from the environment `loadConfig` was given. Tracing is on
 * only when asked for: `OTEL_TRACES_EXPORTER` lists `otlp` or `console`, or (with
 * `OTEL_TRACES_EXPORTER` unset) an OTLP endpoint is set. `OTEL_SDK_DISABLED=true` and
 * `OTEL_TRACES_EXPORTER=none` turn it off whatever else is set. Problems name variables, never
 * values (headers hold API keys).
 */
export function readObservabilityConfig(env: Record<string, string | undefined>): { config: ObservabilityConfig; problems: string[] } {
  const parsed = observabilitySchema.safeParse(env);
  if (!parsed.success) {
    return {
      config: { metricsPublic: false, tracing: undefined },
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    };
  }
  const value = parsed.data;
  const metricsPublic = value.GATEWAY_METRICS_PUBLIC === 'true';
  const endpoint = value.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? value.OTEL_EXPORTER_OTLP_ENDPOINT;
  const kinds = value.OTEL_TRACES_EXPORTER ?? (endpoint === undefined ? [] : ['otlp']);
  if (value.OTEL_SDK_DISABLED || kinds.includes('none') || kinds.length === 0) return { config: { metricsPublic, tracing: undefined }, problems: [] };

  const exporters = [...new Set(kinds)].map((kind): SpanExporterConfig =>
    kind === 'console'
      ? { kind: 'console' }
      : {
          kind: 'otlp',
          // The signal-specific variable is the whole URL; the general one is a base the signal's path is added to.
          url: value.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${(value.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318').replace(/\/+$/, '')}/v1/traces`,
          headers: { ...value.OTEL_EXPORTER_OTLP_HEADERS, ...value.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
          timeoutMs: value.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? value.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10_000,
        },
  );
  const resourceAttributes = { ...value.OTEL_RESOURCE_ATTRIBUTES };
  return {
    config: {
      metricsPublic,
      tracing: {
        serviceName: value.OTEL_SERVICE_NAME ?? resourceAttributes['service.name'] ?? DEFAULT_SERVICE_NAME,
        resourceAttributes,
        exporters,
        sampler: value.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
        samplerRatio: value.OTEL_TRACES_SAMPLER_ARG ?? 1,
      },
    },
    problems: [],
  };
}
