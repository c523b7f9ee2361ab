import type { Plugin } from 'graphql-yoga';
import { requestScopeOf } from '../observability/request-scope.js';
import type { GatewayTracing } from '../observability/tracing.js';

/**
 * A server span per GraphQL request, continuing the caller's `traceparent`, named after the
 * operation (`mutation Login`) and carrying its outcome; never the document or the variables,
 * which hold passwords and tokens. Upstream calls become its children (`observability/upstream-calls.ts`).
 * Only added when tracing is configured.
 */
export function useTracing(tracing: GatewayTracing, options: { graphqlEndpoint: string }): Plugin {
  return {
    instrumentation: {
      request({ request }, wrapped) {
        if (request.method === 'OPTIONS' || new URL(request.url).pathname !== options.graphqlEndpoint) return wrapped();
        const scope = requestScopeOf(request);
        scope.span = tracing.startRequestSpan(request, options.graphqlEndpoint);
        return tracing.runInRequestSpan(scope.span, wrapped);
      },
    },
    onResponse({ request, response }) {
      const scope = requestScopeOf(request);
      if (scope.span === undefined) return;
      tracing.endRequestSpan(scope.span, {
        status: response.status,
        requestId: scope.requestId,
        operationName: scope.operationName,
        operationType: scope.operationType,
        outcome: scope.outcome,
      });
    },
  };
}
