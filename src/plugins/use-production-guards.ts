import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { type ASTVisitor, GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { GATEWAY_KEY_HEADER } from '../access/trusted-callers.js';

/** What {@link useProductionGuards} needs to know. */
export interface ProductionGuardsSetup {
  /** The `X-Gateway-Key` check: true for a trusted server caller (the supergraph router, a Next.js server). */
  isTrustedKey: (presented: string | null) => boolean;
}

/**
 * Federation's `_service { sdl }` prints the whole schema: introspection under another name.
 * Named, because Yoga's validation cache tells rule sets apart by their rules' names.
 */
function NoFederationServiceRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === '_service' && context.getParentType() === context.getSchema().getQueryType()) {
        context.reportError(
          new GraphQLError('GraphQL introspection has been disabled, but the requested query contained the field "_service".', { nodes: node }),
        );
      }
    },
  };
}

/**
 * Production only: untrusted callers get no introspection (`__schema`, `__type`) and no
 * `_service`; trusted callers (a valid `X-Gateway-Key`) keep both, so the supergraph router
 * and schema registries still read the schema. Either refusal is a validation error,
 * `GRAPHQL_VALIDATION_FAILED`, HTTP 400, before anything executes.
 */
export function useProductionGuards(setup: ProductionGuardsSetup): Plugin {
  const untrusted = (request: Request) => !setup.isTrustedKey(request.headers.get(GATEWAY_KEY_HEADER));
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useDisableIntrospection<Record<string, any>>({ isDisabled: untrusted }));
    },
    onValidate({ addValidationRule, context }) {
      const { request } = context as { request?: Request };
      if (request === undefined || untrusted(request)) addValidationRule(NoFederationServiceRule);
    },
  };
}
