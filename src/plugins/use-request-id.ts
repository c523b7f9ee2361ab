import { type ExecutionResult, getOperationAST, type GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { REQUEST_ID_HEADER, requestScopeOf } from '../observability/request-scope.js';
import { isGraphQLError } from './use-error-mapping.js';

// A GraphQL Name, and short: anything else is not worth a label or a log field.
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

/** `error` as it was, plus `extensions.requestId`. A new error: a shared one must not carry one request's id to another. */
function withRequestId(error: GraphQLError, requestId: string): GraphQLError {
  return createGraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    // Kept: Yoga reads it (and `extensions.unexpected`, `extensions.http`) to choose the HTTP status.
    originalError: error.originalError,
    extensions: { ...error.extensions, requestId },
    ...(error.coordinate !== undefined && { coordinate: error.coordinate }),
  });
}

/**
 * The request id, and the request scope the other observability hooks share
 * (`observability/request-scope.ts`):
 *
 * - opens the scope as the request arrives, so every hook, resolver and log line about it sees
 *   the same id;
 * - records the operation's name and type, and the outcome (`ok` or the first error's code);
 * - puts the id in `extensions.requestId` of every error of every GraphQL answer (mapped,
 *   masked, request errors alike) and in the `X-Request-Id` header of every answer.
 *
 * Place it LAST among the plugins: its result hook must see errors in their final form, after
 * the error mapping has replaced them.
 */
export function useRequestId(): Plugin {
  return {
    // A hook, not an `instrumentation` wrapper around the request: that costs a layer of
    // promises per request (docs/decisions/003-no-async-local-storage.md). The scope opens here
    // or at its first use.
    onRequest({ request }) {
      requestScopeOf(request);
    },
    onParams({ params, request }) {
      const scope = requestScopeOf(request);
      // Only a string: the body is the client's, and `{ "toString": false }` must not throw here.
      const { operationName } = params as { operationName?: unknown };
      if (typeof operationName === 'string' && OPERATION_NAME.test(operationName)) scope.operationName = operationName;
    },
    onValidate({ params, context }) {
      const scope = requestScopeOf(context.request);
      const operation = getOperationAST(params.documentAST, scope.operationName);
      if (operation == null) return;
      scope.operationType = operation.operation;
      if (operation.name !== undefined && OPERATION_NAME.test(operation.name.value)) scope.operationName = operation.name.value;
    },
    onResultProcess({ request, result, setResult }) {
      // Streams (subscriptions, incremental delivery) are not part of this schema.
      if (Symbol.asyncIterator in result) return;
      const scope = requestScopeOf(request);
      const results: ExecutionResult[] = Array.isArray(result) ? result : [result];
      const code = results[0]?.errors?.[0]?.extensions?.['code'];
      scope.outcome = results[0]?.errors?.length ? (typeof code === 'string' ? code : 'UNKNOWN') : 'ok';
      if (!results.some((single) => single.errors?.length)) return;
      const tag = (single: ExecutionResult): ExecutionResult =>
        single.errors?.length
          ? { ...single, errors: single.errors.map((error) => (isGraphQLError(error) ? withRequestId(error, scope.requestId) : error)) }
          : single;
      setResult(Array.isArray(result) ? result.map(tag) : tag(result as ExecutionResult));
    },
    onResponse({ request, response }) {
      response.headers.set(REQUEST_ID_HEADER, requestScopeOf(request).requestId);
    },
  };
}
