// `POST /graphql` (docs/upstream.md#b2b-graphql): graphql-js over the upstream SDL excerpt, so that the
// gateway's documents validate against the same schema and introspection works.
import { readFile } from 'node:fs/promises';
import { buildSchema, execute, getOperationAST, GraphQLError, parse, validate, type GraphQLSchema } from 'graphql';
import { UPSTREAM_SCHEMA_URL } from '../runtime/sdl-files.js';
import type { SandboxContext } from './context.js';
import { isPlainObject, jsonResponse, type SandboxRequest, type SandboxResponse } from './exchange.js';
import { createRootValue, type GraphqlRequestContext } from './graphql-resolvers.js';

let schemaPromise: Promise<GraphQLSchema> | undefined;

/** The upstream schema, built once per process from the SDL file. */
export function loadUpstreamSchema(): Promise<GraphQLSchema> {
  schemaPromise ??= readFile(UPSTREAM_SCHEMA_URL, 'utf8').then((sdl) => buildSchema(sdl));
  return schemaPromise;
}

export type GraphqlEndpoint = (request: SandboxRequest) => Promise<SandboxResponse>;

const badRequest = (message: string): SandboxResponse => jsonResponse(400, { errors: [{ message }] });

// Errors raised by resolvers are sent as `{message, extensions?}`, as the upstream examples show
// them; parse and validation errors keep graphql-js's `locations`.
function formatError(error: GraphQLError): Record<string, unknown> {
  if (error.path === undefined) return { ...error.toJSON() };
  const hasExtensions = Object.keys(error.extensions).length > 0;
  return { message: error.message, ...(hasExtensions ? { extensions: error.extensions } : {}) };
}

export function createGraphqlEndpoint(schema: GraphQLSchema, context: SandboxContext): GraphqlEndpoint {
  const rootValue = createRootValue(context);

  return async function graphqlEndpoint(request: SandboxRequest): Promise<SandboxResponse> {
    if (request.method !== 'POST') {
      return jsonResponse(405, { errors: [{ message: 'GraphQL only supports POST requests.' }] }, { allow: 'POST' });
    }
    if (request.body.kind === 'invalid') return badRequest('POST body sent invalid JSON.');
    const payload = request.body.kind === 'json' ? request.body.value : undefined;
    if (!isPlainObject(payload) || typeof payload['query'] !== 'string') return badRequest('Must provide query string.');
    const { query, variables, operationName } = payload;
    if (variables !== undefined && variables !== null && !isPlainObject(variables)) {
      return badRequest('Variables are invalid JSON.');
    }
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
      return badRequest('Operation name must be a string.');
    }

    let document;
    try {
      document = parse(query);
    } catch (error) {
      if (error instanceof GraphQLError) return jsonResponse(400, { errors: [formatError(error)] });
      throw error;
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) return jsonResponse(400, { errors: validationErrors.map(formatError) });
    if (getOperationAST(document, operationName ?? undefined) === null) {
      return badRequest('Must provide operation name if query contains multiple operations.');
    }

    const contextValue: GraphqlRequestContext = { authorization: request.headers['authorization'] };
    const result = await execute({
      schema,
      document,
      rootValue,
      contextValue,
      variableValues: variables ?? undefined,
      operationName: operationName ?? undefined,
    });
    const body = {
      ...(result.errors ? { errors: result.errors.map(formatError) } : {}),
      ...(result.data !== undefined ? { data: result.data } : {}),
    };
    // No data at all (e.g. variables that do not coerce) is a bad request; field errors are 200.
    return jsonResponse(result.data === undefined ? 400 : 200, body);
  };
}
