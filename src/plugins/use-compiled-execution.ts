import {
  type ASTNode,
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  getNamedType,
  getLocation,
  getOperationAST,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  Kind,
  type OperationDefinitionNode,
  typeFromAST,
  visit,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * How one operation of one document runs: its compiled query, Yoga's executor (graphql-js) for
 * good, or the executor this once (`'seen'`: it ran once; the next run compiles it).
 */
type Plan = CompiledQuery | 'executor' | 'seen';

/**
 * Executes operations with graphql-jit: an operation is compiled once into a function, kept
 * beside its parsed document (Yoga's parse cache hands the same document back for the same
 * text), which runs a login in a fraction of the executor's time
 * (docs/decisions/001-compiled-execution.md). Only where it answers exactly as the executor
 * would; everything else runs on Yoga's executor:
 *
 * - variables graphql-jit refuses (it answers no `data` then) go to the executor, which words
 *   the errors (naming the field, hiding suggestions in production) and answers HTTP 400;
 * - an operation whose variables reach a `@oneOf` input, which graphql-jit does not enforce;
 * - a mutation with more than one root field: the executor stops at the first error that nulls
 *   `data` (six aliased logins with a wrong password make one attempt), graphql-jit runs them all;
 * - a document graphql-jit cannot compile;
 * - an operation's first run: compiling costs ~200 µs (a login's whole execution is a few tens),
 *   so only an operation that comes back is compiled, and a client sending a new document every
 *   time never makes the gateway compile.
 */
export function useCompiledExecution(): Plugin {
  // By document, then by operation name: one document may hold several operations.
  const plans = new WeakMap<DocumentNode, Map<string | undefined, Plan>>();

  const planOf = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | 'executor' => {
    let byName = plans.get(document);
    if (byName === undefined) plans.set(document, (byName = new Map()));
    const plan = byName.get(operationName);
    if (plan === undefined) {
      byName.set(operationName, 'seen');
      return 'executor';
    }
    if (plan !== 'seen') return plan;
    const operation = getOperationAST(document, operationName);
    const compiled = operation != null && compilable(schema, operation) ? compileQuery(schema, document, operationName) : undefined;
    const next = compiled !== undefined && isCompiledQuery(compiled) ? compiled : 'executor';
    byName.set(operationName, next);
    return next;
  };

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const plan = planOf(args.schema, args.document, args.operationName ?? undefined);
      if (plan === 'executor') return;
      setExecuteFn((execution) => {
        const result = plan.query(execution.rootValue, execution.contextValue, execution.variableValues) as
          | ExecutionResult
          | Promise<ExecutionResult>;
        if (result instanceof Promise) return result.then((settled) => located(settled, execution.document));
        return 'data' in result ? located(result, execution.document) : executeFn(execution);
      });
    },
  };
}

/** The answer with its errors placed in the document, and first, as the executor orders them. */
function located(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const { errors, ...rest } = result;
  return { errors: errors.map((error) => withNodes(error, document)), ...rest };
}

/**
 * graphql-jit's execution errors name their `locations` but carry no AST `nodes`, and whatever
 * rebuilds an error (the error mapping, the request id, Yoga's serialiser) computes the locations
 * from the nodes: such an error gets the nodes that start where it points.
 */
function withNodes(error: GraphQLError, document: DocumentNode): GraphQLError {
  if (error.nodes !== undefined || error.locations === undefined) return error;
  const points = error.locations.map(({ line, column }) => `${line}:${column}`);
  const nodes: ASTNode[] = [];
  visit(document, {
    enter(node) {
      if (node.loc === undefined) return undefined;
      const { line, column } = getLocation(node.loc.source, node.loc.start);
      const at = points.indexOf(`${line}:${column}`);
      if (at === -1) return undefined;
      // The outermost node starting there (a field, not its name); each point once.
      nodes.push(node);
      points.splice(at, 1);
      return points.length === 0 ? BREAK : undefined;
    },
  });
  return createGraphQLError(error.message, { nodes, path: error.path, originalError: error.originalError, extensions: error.extensions });
}

function compilable(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  if (operation.operation === 'subscription') return false;
  const [first, ...others] = operation.selectionSet.selections;
  if (operation.operation === 'mutation' && (first?.kind !== Kind.FIELD || others.length > 0)) return false;
  return !(operation.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type);
    return type === undefined || reachesOneOf(type as GraphQLInputType);
  });
}

/** Whether a `@oneOf` input type is this type or sits anywhere inside it. */
function reachesOneOf(type: GraphQLInputType, seen = new Set<GraphQLInputType>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named)) return false;
  seen.add(named);
  return named.isOneOf || Object.values(named.getFields()).some((field) => reachesOneOf(field.type, seen));
}
