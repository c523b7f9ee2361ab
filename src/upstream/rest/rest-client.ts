import type { z } from 'zod';
import type { StoreConfig } from '../../config/stores.js';
import { UpstreamHttpError, UpstreamRateLimitError, UpstreamResponseShapeError, UpstreamUnavailableError } from '../../errors/gateway-errors.js';
import type { CircuitBreakers } from '../circuit-breaker.js';
import { headerValue, type HttpAnswer, type HttpTransport } from '../http-transport.js';
import { endpointLabel } from '../../observability/upstream-calls.js';
import { normaliseErrorBody } from './envelope.js';

/** One REST call to BigCommerce B2B. */
export interface RestCall<Data extends z.ZodType> {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the API base, e.g. `/api/io/auth/customers`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  store: StoreConfig;
  /**
   * Send the store's X-Auth-Token. Only endpoints that need it get it (docs/upstream.md#calls-at-a-glance).
   */
  serverToken: boolean;
  body?: unknown;
  /** Schema of the envelope's `data` on success (of the whole body with `wholeBody`). */
  data: Data;
  /**
   * Check the whole success body (`{code, data, meta}`) with `data`, not only its `data`: for
   * endpoints whose `meta` says something too, like the list endpoints' `meta.pagination`.
   * @default false
   */
  wholeBody?: boolean;
}

export interface RestClient {
  call<Data extends z.ZodType>(call: RestCall<Data>): Promise<z.infer<Data>>;
}

/**
 * The REST client: builds headers, normalises the several error envelopes and validates
 * success bodies with zod. Failures are thrown as `UpstreamError`s; callers turn the 4xx ones
 * that mean something for their endpoint into domain errors.
 */
export function createRestClient(baseUrl: string, transport: HttpTransport, breakers: CircuitBreakers): RestClient {
  return {
    async call(call) {
      const endpoint = `${call.method} ${call.path}`;
      // One circuit per route and store, not per user id: `GET /api/v3/io/users/:id`. A store whose
      // hash BigCommerce refuses (it answers 5xx) must not open the route for every other store.
      const route = endpointLabel(endpoint);
      const circuit = `${route} @${call.store.storeHash}`;
      const url = new URL(baseUrl + call.path);
      for (const [name, value] of Object.entries(call.query ?? {})) {
        if (value !== undefined) url.searchParams.set(name, String(value));
      }
      const headers: Record<string, string> = { accept: 'application/json', 'x-store-hash': call.store.storeHash };
      if (call.serverToken) headers['x-auth-token'] = call.store.authToken;
      let body: string | undefined;
      if (call.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(call.body);
      }

      const { answer, json } = await breakers.run(circuit, async () => {
        const answer = await transport.send({ endpoint, method: call.method, url: url.href, headers, ...(body === undefined ? {} : { body }) });
        const json = parseJson(answer.body);
        const status = effectiveStatus(answer.status, json);
        if (status >= 400) throw errorFromAnswer(endpoint, status, answer, json);
        return { answer, json };
      });

      const data = typeof json === 'object' && json !== null ? (json as { data?: unknown }).data : undefined;
      const parsed = call.data.safeParse(call.wholeBody ? json : data);
      if (!parsed.success) {
        throw new UpstreamResponseShapeError(endpoint, `HTTP ${answer.status} answer is not the documented shape (${describeIssue(parsed.error)})`);
      }
      return parsed.data;
    },
  };
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/**
 * The HTTP status and the envelope's `code` need not agree (docs/upstream.md#rest-envelopes): an error in either one is an
 * error, and the HTTP status wins when both are errors.
 */
function effectiveStatus(httpStatus: number, json: unknown): number {
  if (httpStatus >= 400) return httpStatus;
  const { code } = normaliseErrorBody(json);
  return code !== undefined && code >= 400 && code < 600 ? code : httpStatus;
}

function errorFromAnswer(endpoint: string, status: number, answer: HttpAnswer, json: unknown) {
  if (status === 429) return new UpstreamRateLimitError(endpoint, retryAfterSeconds(answer));
  if (status >= 500) return new UpstreamUnavailableError(endpoint, `HTTP ${status}`, status);
  const normalised = json === NOT_JSON ? undefined : normaliseErrorBody(json);
  return new UpstreamHttpError(endpoint, status, normalised?.message, normalised?.fieldErrors);
}

/** `Retry-After` (seconds or an HTTP date), else BigCommerce's `X-Request-Window-Resets-After`. */
export function retryAfterSeconds(answer: Pick<HttpAnswer, 'headers'>, now = Date.now()): number | undefined {
  const retryAfter = headerValue(answer.headers, 'retry-after')?.trim() ?? '';
  if (/^\d+$/.test(retryAfter)) return Number(retryAfter);
  // An HTTP date names a day of the week or a month; bare numbers like "-5" are not dates.
  if (/[a-z]{3}/i.test(retryAfter)) {
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  }
  const resetsAfter = headerValue(answer.headers, 'x-request-window-resets-after')?.trim() ?? '';
  return /^\d+(\.\d+)?$/.test(resetsAfter) ? Math.ceil(Number(resetsAfter)) : undefined;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.join('.') || 'body'}: ${issue.message}`;
}
