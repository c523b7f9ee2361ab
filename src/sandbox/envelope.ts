// Response bodies of the REST APIs (docs/upstream.md#rest-envelopes). The B2B envelope
// `{code, data, meta: {message}}` is the documented one; the flat, v2 and `detail` shapes also
// occur upstream (docs/upstream.md#rest-errors) and the sandbox uses each where it is the
// likeliest one, so that clients learn to read them all.
import { jsonResponse, type SandboxResponse } from './exchange.js';

/** 422 field errors: field → list of messages. */
export type FieldErrors = Record<string, string[]>;

export function success(data: unknown, meta: Record<string, unknown> = {}): SandboxResponse {
  return jsonResponse(200, { code: 200, data, meta: { message: 'SUCCESS', ...meta } });
}

export function failure(status: number, errMsg: string | FieldErrors, metaMessage: string): SandboxResponse {
  return jsonResponse(status, { code: status, data: { errMsg }, meta: { message: metaMessage } });
}

export function parameterError(errors: FieldErrors): SandboxResponse {
  return failure(422, errors, 'Parameter Error');
}

export function invalidJsonBody(): SandboxResponse {
  return failure(400, 'JSON parse error', 'Bad Request');
}

/** What the upstream answers when the store cannot be resolved (missing or mismatched `X-Store-Hash`). */
export function serverError(): SandboxResponse {
  return failure(500, 'Internal Server Error', 'Internal Server Error');
}

export function tooManyRequests(headers: Record<string, string>): SandboxResponse {
  const response = failure(429, 'Too many requests', 'Too Many Requests');
  return { ...response, headers: { ...response.headers, ...headers } };
}

/** The flat shape `{code, message}`, used for authentication failures. */
export function flatError(status: number, message: string): SandboxResponse {
  return jsonResponse(status, { code: status, message });
}

/** The v2 shape, used for unknown routes. */
export function routeNotFound(): SandboxResponse {
  return jsonResponse(404, { code: 404, data: {}, message: 'Not Found Error' });
}

/** The bare `{detail}` shape, used for a known route called with the wrong method. */
export function methodNotAllowed(method: string, allowed: readonly string[]): SandboxResponse {
  return jsonResponse(405, { detail: `Method "${method}" not allowed.` }, { allow: allowed.join(', ') });
}
