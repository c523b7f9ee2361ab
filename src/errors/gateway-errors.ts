/**
 * The gateway's failure modes, one small class each. Nothing here knows about GraphQL:
 * `plugins/use-error-mapping.ts` is the one place that turns them into GraphQL errors.
 *
 * Messages are written for logs and must never contain a password, an X-Auth-Token or an
 * issued token.
 */

/** Base class: every error the gateway expects to happen. */
export abstract class GatewayError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An input failed validation. `field` is the path, e.g. `input.credentials.email`. */
export class InputValidationError extends GatewayError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The caller may not do this: an unknown store, or a trusted-only operation. */
export class ForbiddenError extends GatewayError {}

/** The upstream refused a buyer's email and password (whatever its reason). */
export class CredentialsRejectedError extends GatewayError {}

/** The upstream refused a JWT: malformed, expired or not signed by BigCommerce. */
export class TokenRejectedError extends GatewayError {}

/**
 * The gateway's own limit on credential attempts (per account or per client address) is used
 * up; the upstream was not called. The message says which budget, for the log; it never holds
 * the email or the address.
 */
export class RateLimitedError extends GatewayError {
  constructor(
    /** Whole seconds until an attempt can succeed again; at least 1. */
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** Base class for everything that went wrong between the gateway and BigCommerce. */
export abstract class UpstreamError extends GatewayError {
  constructor(
    /** Which upstream call, e.g. `POST /api/io/auth/customers` or `graphql login`. Never a URL with secrets. */
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${endpoint}: ${message}`, options);
  }
}

/** No complete answer within the deadline. */
export class UpstreamTimeoutError extends UpstreamError {
  constructor(endpoint: string, readonly timeoutMs: number) {
    super(endpoint, `no complete answer within ${timeoutMs} ms`);
  }
}

/** Connection refused, reset or closed early, or a 5xx answer. */
export class UpstreamUnavailableError extends UpstreamError {
  constructor(endpoint: string, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(endpoint, message, options);
  }
}

/** The upstream's rate limit (HTTP 429). */
export class UpstreamRateLimitError extends UpstreamError {
  constructor(endpoint: string, readonly retryAfterSeconds: number | undefined) {
    super(endpoint, `rate limited${retryAfterSeconds === undefined ? '' : `, retry after ${retryAfterSeconds} s`}`);
  }
}

/** An answer that is not the documented shape: not JSON, truncated, wrong types, no token. */
export class UpstreamResponseShapeError extends UpstreamError {}

/**
 * A 4xx answer the calling endpoint did not turn into something more specific. Carries the
 * message normalised from whichever envelope the upstream used (docs/upstream.md#rest-errors).
 */
export class UpstreamHttpError extends UpstreamError {
  constructor(
    endpoint: string,
    readonly status: number,
    readonly upstreamMessage: string | undefined,
    /** For 422 answers: field → messages. */
    readonly fieldErrors: Record<string, string[]> | undefined,
  ) {
    super(endpoint, `HTTP ${status}${upstreamMessage === undefined ? '' : `: ${upstreamMessage}`}`);
  }
}

/** A GraphQL `errors` answer the calling operation did not turn into something more specific. */
export class UpstreamGraphQLError extends UpstreamError {
  constructor(
    endpoint: string,
    readonly status: number,
    readonly errors: ReadonlyArray<{ message: string; code: unknown }>,
  ) {
    super(endpoint, `HTTP ${status}: ${errors.map((e) => `${e.message}${e.code === undefined ? '' : ` (${String(e.code)})`}`).join('; ')}`);
  }
}
