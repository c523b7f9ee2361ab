import { useGraphQlJit } from '@envelop/graphql-jit';
import { getVariableValues } from '@graphql-tools/executor';
import { getOperationAST, Kind } from 'graphql';

/**
 * Executes operations with graphql-jit: each validated document is compiled once into a function
 * (cached by document, beside Yoga's parse cache), which runs a login's execution in a fraction of
 * graphql-js's time (bench/PROFILE.md). Only where it answers exactly as graphql-js would; the
 * rest goes to Yoga's executor as before:
 *
 * - variables are checked first by the executor's own coercion: a request they fail answers
 *   the executor's errors (naming the field, honouring `@oneOf` and hidden suggestions, HTTP 400),
 *   which graphql-jit words and enforces differently;
 * - a mutation with more than one root field: graphql-js stops at the first error that nulls
 *   `data` (six aliased logins with a wrong password make one attempt), graphql-jit runs them all.
 */
export function useCompiledExecution() {
  return useGraphQlJit(
    {},
    {
      enableIf({ schema, document, operationName, variableValues }) {
        const operation = getOperationAST(document, operationName);
        if (operation == null) return false;
        const [first, ...others] = operation.selectionSet.selections;
        if (operation.operation === 'mutation' && (first?.kind !== Kind.FIELD || others.length > 0)) return false;
        return !('errors' in getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {}));
      },
      // A document it cannot compile answers the compiler's errors to its client: nothing to log.
      onError: () => {},
    },
  );
}
