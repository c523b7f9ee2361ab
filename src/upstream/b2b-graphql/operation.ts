// How one upstream document travels: printed once, posted by graphql-request over the gateway's
// transport, through its circuit, and every failure turned into one of the Upstream* errors.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, stripIgnoredCharacters } from 'graphql';
import { ClientError, GraphQLClient } from 'graphql-request';
import type { z } from 'zod';
import {
  UpstreamError,
  UpstreamGraphQLError,
  UpstreamRateLimitError,
  UpstreamResponseShapeError,
  UpstreamUnavailableError,
} from '../../errors/gateway-errors.js';
import { withoutEchoedValue } from '../../errors/strip-echoed-values.js';
import type { CircuitBreakers } from '../circuit-breaker.js';
import { headerValue, type HttpAnswer, type HttpTransport } from '../http-transport.js';
import { retryAfterSeconds } from '../rest/rest-client.js';

/**
 * Messages graphql-js gives when a document does not fit the server's schema: those mean the
 * upstream changed, not that the buyer's proof was refused.
 */
const DOCUMENT_MISMATCH = /^(Cannot query field|Unknown argument|Unknown type|Syntax Error|Field "[^"]+" argument|Variable "\$)/;

/**
 * What graphql-request reads of an answer (`ok`, `status`, `headers.get`, `text()`), over the
 * transport's answer as it is: no WHATWG `Response`, body stream or `Headers` per call.
 */
class UpstreamAnswer {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null; readonly record: HttpAnswer['headers'] };
  readonly #body: string;

  constructor(answer: HttpAnswer) {
    this.ok = answer.status >= 200 && answer.status < 300;
    this.status = answer.status;
    this.headers = { get: (name) => headerValue(answer.headers, name) ?? null, record: answer.headers };
    this.#body = answer.status === 204 ? '' : answer.body;
  }

  text(): Promise<string> {
    return Promise.resolve(this.#body);
  }
}

/** The transport's headers of an answer graphql-request hands back in a `ClientError`. */
const headersOf = (response: ClientError['response']): HttpAnswer['headers'] =>
  (response.headers as unknown as UpstreamAnswer['headers'] | undefined)?.record ?? {};

/** One upstream operation: its document printed once, sent by its own graphql-request client. */
export interface Operation<TData, TVariables> {
  /**
   * `graphql` and the operation's name in camelCase (`Login` → `graphql login`, `Session` →
   * `graphql session`): its circuit's, metrics' and errors' name.
   */
  endpoint: string;
  request(variables: TVariables, requestHeaders?: Record<string, string>): Promise<TData>;
}

/**
 * A graphql-request client for one operation whose fetch goes through the gateway's transport
 * (pool, deadline, size limit). The document is printed once, here, without ignored characters:
 * given a `DocumentNode`, graphql-request would print it on every call, and given a string it
 * would parse it on every call to find the operation's name, which this client adds to the body
 * itself.
 */
export function operation<TData, TVariables extends Record<string, unknown>>(
  endpointUrl: string,
  transport: HttpTransport,
  document: TypedDocumentNode<TData, TVariables>,
): Operation<TData, TVariables> {
  const definition = getOperationAST(document);
  const operationName = definition?.name?.value;
  if (definition == null || operationName === undefined) throw new Error('an upstream document must hold one named operation');
  const name = operationName.charAt(0).toLowerCase() + operationName.slice(1);
  const endpoint = `graphql ${name}`;
  const query = stripIgnoredCharacters(print(document));
  // What every body of this operation starts with, serialised once: only the variables change.
  const head = `{"query":${JSON.stringify(query)},"operationName":${JSON.stringify(operationName)},"variables":`;
  const client = new GraphQLClient(endpointUrl, {
    excludeOperationName: true,
    jsonSerializer: {
      parse: JSON.parse,
      stringify: (body: { query?: unknown; variables?: unknown }) =>
        body.query === query ? `${head}${JSON.stringify(body.variables ?? {})}}` : JSON.stringify({ ...body, operationName }),
    },
    fetch: async (url: URL | RequestInfo, init?: RequestInit) => {
      const headers: Record<string, string> = {};
      const given = init?.headers;
      (given instanceof Headers ? given : new Headers(given)).forEach((value, header) => {
        headers[header] = value;
      });
      const answer = await transport.send({ endpoint, method: 'POST', url: String(url), headers, body: typeof init?.body === 'string' ? init.body : '' });
      if (answer.status < 200 || answer.status > 599) throw new UpstreamResponseShapeError(endpoint, `HTTP status ${answer.status}`);
      return new UpstreamAnswer(answer) as unknown as Response;
    },
  });
  return {
    endpoint,
    request: (variables, requestHeaders) => client.request<TData>(query, variables, requestHeaders),
  };
}

/** Sends an operation through its circuit; throws only `UpstreamError`s. */
export type Runner = <TData, TVariables>(
  operation: Operation<TData, TVariables>,
  variables: TVariables,
  requestHeaders?: Record<string, string>,
) => Promise<TData>;

/**
 * The runner of every operation of one client. graphql-request's default error policy is kept:
 * an answer with any `errors` throws, whatever `data` came beside them.
 */
export function createRunner(breakers: CircuitBreakers): Runner {
  return (operation, variables, requestHeaders) => {
    const { endpoint } = operation;
    return breakers.run(endpoint, async () => {
      try {
        return await operation.request(variables, requestHeaders);
      } catch (error) {
        if (error instanceof UpstreamError) throw error;
        if (!(error instanceof ClientError)) {
          throw new UpstreamResponseShapeError(endpoint, 'answer is not a GraphQL response', { cause: error });
        }
        throw classify(endpoint, error.response);
      }
    });
  };
}

// Like BigCommerce's own portal, read the body whatever the HTTP status; then decide.
function classify(endpoint: string, response: ClientError['response']): UpstreamError {
  const { status, errors = [] } = response;
  const codes = errors.map((item) => item.extensions?.['code']);
  if (status === 429 || codes.some((code) => code === 429 || code === '429' || code === 'RATE_LIMITED')) {
    return new UpstreamRateLimitError(endpoint, retryAfterSeconds({ headers: headersOf(response) }));
  }
  if (status >= 500) return new UpstreamUnavailableError(endpoint, `HTTP ${status}`, status);
  if (errors.length === 0) return new UpstreamResponseShapeError(endpoint, `HTTP ${status} without GraphQL errors`);
  // An upstream graphql-js quotes a variable it refuses, password included: never keep that.
  const described = errors.map((item) => ({
    message: typeof item.message === 'string' ? withoutEchoedValue(item.message) : 'no message',
    code: item.extensions?.['code'],
  }));
  if (described.some((item) => DOCUMENT_MISMATCH.test(item.message))) {
    return new UpstreamResponseShapeError(endpoint, `the upstream schema does not accept the gateway's document: ${described[0]?.message}`);
  }
  return new UpstreamGraphQLError(endpoint, status, described);
}

/** An answer's `data` checked against its zod shape; anything else is `UpstreamResponseShapeError`. */
export function parseAnswer<Schema extends z.ZodType>(endpoint: string, schema: Schema, data: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UpstreamResponseShapeError(endpoint, `answer is not the documented shape (${issue?.path.join('.') ?? 'data'}: ${issue?.message ?? 'invalid'})`);
  }
  return parsed.data;
}
