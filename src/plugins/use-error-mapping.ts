import type { ExecutionResult, GraphQLError } from 'graphql';
import { createGraphQLError, handleStreamOrSingleExecutionResult, maskError, type Plugin } from 'graphql-yoga';
import {
  CredentialsRejectedError,
  ForbiddenError,
  type GatewayError,
  InputValidationError,
  RateLimitedError,
  TokenRejectedError,
  UpstreamError,
  UpstreamRateLimitError,
  UpstreamResponseShapeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../errors/gateway-errors.js';
import type { GatewayContext } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { logFieldsOf, requestScopeOf } from '../observability/request-scope.js';
import { withoutEchoedValue } from '../errors/strip-echoed-values.js';

/** What a client sees for one of the gateway's expected failures. */
interface PublicError {
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
  /** How loudly the gateway logs it. */
  level: 'debug' | 'info' | 'warn';
}

/**
 * THE mapping from the gateway's failure modes to GraphQL errors with a stable
 * `extensions.code`. Returns `undefined` for anything unexpected: Yoga's masking answers those as
 * "Unexpected error." (INTERNAL_SERVER_ERROR) and logs them.
 */
export function publicError(error: unknown): PublicError | undefined {
  if (error instanceof InputValidationError) {
    return { code: 'BAD_USER_INPUT', message: error.message, extensions: { field: error.field }, level: 'debug' };
  }
  if (error instanceof ForbiddenError) return { code: 'FORBIDDEN', message: error.message, level: 'info' };
  if (error instanceof CredentialsRejectedError) {
    // One message whatever the reason, so the answer does not tell which accounts exist.
    return { code: 'UNAUTHENTICATED', message: 'Invalid email or password.', level: 'info' };
  }
  if (error instanceof TokenRejectedError) return { code: 'UNAUTHENTICATED', message: 'Invalid or expired token.', level: 'info' };
  if (error instanceof RateLimitedError) {
    // The same words whether or not the account exists: the limiter never asks the upstream.
    return {
      code: 'RATE_LIMITED',
      message: 'Too many sign-in attempts; try again later.',
      extensions: { retryAfter: error.retryAfterSeconds },
      level: 'info',
    };
  }
  if (error instanceof UpstreamRateLimitError) {
    return {
      code: 'RATE_LIMITED',
      message: 'BigCommerce is rate limiting this store; try again later.',
      ...(error.retryAfterSeconds !== undefined && { extensions: { retryAfter: error.retryAfterSeconds } }),
      level: 'warn',
    };
  }
  if (error instanceof UpstreamTimeoutError) return { code: 'UPSTREAM_TIMEOUT', message: 'BigCommerce did not answer in time.', level: 'warn' };
  if (error instanceof UpstreamUnavailableError) return { code: 'UPSTREAM_UNAVAILABLE', message: 'BigCommerce is unavailable.', level: 'warn' };
  if (error instanceof UpstreamResponseShapeError) {
    return { code: 'UPSTREAM_BAD_RESPONSE', message: 'BigCommerce answered in an unexpected shape.', level: 'warn' };
  }
  return undefined;
}

/** Not `instanceof`: graphql-js may be loaded twice (ESM and CommonJS copies) in one process. */
export const isGraphQLError = (error: unknown): error is GraphQLError =>
  error instanceof Error && 'extensions' in error && 'path' in error;

/**
 * A request error (bad JSON, bad variables, bad literals) without the values it echoed. Yoga
 * copies a JSON parser's message, which quotes the body, into `extensions.originalError`: only
 * its name stays (Yoga also reads its presence to answer 400 rather than 200).
 */
function withoutEcho(error: GraphQLError): GraphQLError {
  const message = withoutEchoedValue(error.message);
  const { originalError, ...extensions } = error.extensions as Record<string, unknown>;
  const echoedCause = typeof originalError === 'object' && originalError !== null && 'message' in originalError;
  if (message === error.message && !echoedCause) return error;
  return createGraphQLError(message, {
    nodes: error.nodes,
    path: error.path,
    extensions: {
      ...extensions,
      ...(originalError !== undefined && { originalError: echoedCause ? { name: String((originalError as { name?: unknown }).name ?? 'Error') } : originalError }),
      code: extensions['code'] ?? 'BAD_USER_INPUT',
    },
  });
}

/** What a client reads in place of an unexpected error; Yoga's masking uses the same words. */
export const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';

/**
 * Replaces each resolver error that {@link publicError} knows with its public form, and masks
 * the unexpected ones as Yoga would (`maskError`: "Unexpected error.", INTERNAL_SERVER_ERROR),
 * logging each with the request's id: the public form is logged at its level, an unexpected
 * error at `error` with its cause. Yoga's own masking stays behind it for errors raised
 * outside execution, and leaves the errors masked here alone (it logs only what it masks).
 */
export function useErrorMapping(logger: Logger): Plugin<GatewayContext> {
  const mapError = (error: GraphQLError, request: Request): GraphQLError => {
    const mapped = publicError(error.originalError);
    if (mapped === undefined) {
      if (!error.originalError) return withoutEcho(error);
      const masked = maskError(error, UNEXPECTED_ERROR_MESSAGE, false);
      if (masked !== error) logger.error(error, logFieldsOf(requestScopeOf(request)));
      return masked as GraphQLError;
    }
    const cause = error.originalError as GatewayError;
    logger[mapped.level]('operation failed', {
      code: mapped.code,
      path: error.path?.join('.'),
      reason: cause.message,
      ...(cause instanceof UpstreamError && { endpoint: cause.endpoint }),
      ...logFieldsOf(requestScopeOf(request)),
    });
    // No `originalError`: the result is a deliberate public error that masking must not touch.
    // Yoga's `createGraphQLError` builds it from the same graphql-js copy Yoga checks against.
    return createGraphQLError(mapped.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: { ...mapped.extensions, code: mapped.code },
    });
  };
  return {
    // Request errors (bad JSON, bad variables, bad literals) never reach a resolver: clean every
    // result last, just before Yoga serialises it.
    onResultProcess({ result, setResult }) {
      if (Symbol.asyncIterator in result) return;
      const clean = (single: ExecutionResult) =>
        single.errors?.length ? { ...single, errors: single.errors.map((error) => (isGraphQLError(error) ? withoutEcho(error) : error)) } : single;
      setResult(Array.isArray(result) ? result.map(clean) : clean(result));
    },
    onExecute() {
      return {
        onExecuteDone(payload) {
          const { request } = payload.args.contextValue;
          return handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
            if (result.errors?.length) setResult({ ...result, errors: result.errors.map((error) => mapError(error, request)) });
          });
        },
      };
    },
  };
}
