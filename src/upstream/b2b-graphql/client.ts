import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, stripIgnoredCharacters } from 'graphql';
import { ClientError, GraphQLClient } from 'graphql-request';
import { z } from 'zod';
import {
  CredentialsRejectedError,
  TokenRejectedError,
  UpstreamError,
  UpstreamGraphQLError,
  UpstreamRateLimitError,
  UpstreamResponseShapeError,
  UpstreamUnavailableError,
} from '../../errors/gateway-errors.js';
import type { CircuitBreakers } from '../circuit-breaker.js';
import { headerValue, type HttpAnswer, type HttpTransport } from '../http-transport.js';
import { upstreamPermissions, upstreamUser, type UpstreamPermission, type UpstreamUser } from '../models.js';
import { retryAfterSeconds } from '../rest/rest-client.js';
import { withoutEchoedValue } from '../../errors/strip-echoed-values.js';
import { AuthorizationDocument, CurrentUserDocument, LoginDocument, type UserAuthType, type UserLoginType } from './generated.js';

export interface LoginResult {
  token: string;
  storefrontLoginToken: string | null;
  user: UpstreamUser | null;
  permissions: UpstreamPermission[];
}

export interface AuthorizationResult {
  token: string;
  permissions: UpstreamPermission[];
}

/** The B2B GraphQL Storefront API operations the gateway uses (b2b-upstream.md §4). */
export interface B2BGraphQLClient {
  /** Anonymous. */
  login(loginData: UserLoginType): Promise<LoginResult>;
  /** Anonymous. */
  authorization(authData: UserAuthType): Promise<AuthorizationResult>;
  /**
   * The user a storefront authToken belongs to, asked with the buyer's own
   * `Authorization: Bearer <token>` (never the X-Auth-Token). Throws `TokenRejectedError` when the
   * upstream refuses the token or names no user.
   */
  currentUser(token: string): Promise<UpstreamUser>;
}

const token = z.string().min(1);
const loginData = z.object({
  login: z
    .object({
      result: z.object({
        token,
        storefrontLoginToken: z.string().nullish().transform((value) => value ?? null),
        user: upstreamUser.nullish().transform((value) => value ?? null),
        permissions: upstreamPermissions,
      }),
    }),
});
const authorizationData = z.object({
  authorization: z.object({ result: z.object({ token, permissions: upstreamPermissions }) }),
});
const currentUserData = z.object({ currentUser: upstreamUser.nullable() });

/** Upstream's "invalid or expired token" code (b2b-upstream.md §4). */
const INVALID_TOKEN_CODE = 40101;
/** What the upstream says, with no extensions, about a string that is not a JWT. */
const MALFORMED_JWT = /JWT verification failed/i;

/** The upstream refused the buyer's token: 40101, a malformed JWT, or HTTP 401. */
function isTokenRefusal(error: UpstreamGraphQLError): boolean {
  return (
    error.status === 401 ||
    error.errors.some((item) => Number(item.code) === INVALID_TOKEN_CODE || MALFORMED_JWT.test(item.message))
  );
}

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
interface Operation<TData, TVariables> {
  /** `graphql` and the root field's name (`Login` → `graphql login`): its circuit's, metrics' and errors' name. */
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
function operation<TData, TVariables extends Record<string, unknown>>(
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

/**
 * The B2B GraphQL client: graphql-request over the gateway's transport. No X-Auth-Token is ever
 * attached: `login` and `authorization` are anonymous, and `currentUser` carries only the
 * buyer's own token.
 */
export function createB2BGraphQLClient(endpointUrl: string, transport: HttpTransport, breakers: CircuitBreakers): B2BGraphQLClient {
  const loginOperation = operation(endpointUrl, transport, LoginDocument);
  const authorizationOperation = operation(endpointUrl, transport, AuthorizationDocument);
  const currentUserOperation = operation(endpointUrl, transport, CurrentUserDocument);

  function run<TData, TVariables>(operation: Operation<TData, TVariables>, variables: TVariables, requestHeaders?: Record<string, string>): Promise<TData> {
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

  function parse<Schema extends z.ZodType>(name: string, schema: Schema, data: unknown): z.infer<Schema> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UpstreamResponseShapeError(`graphql ${name}`, `answer is not the documented shape (${issue?.path.join('.') ?? 'data'}: ${issue?.message ?? 'invalid'})`);
    }
    return parsed.data;
  }

  return {
    async login(variables) {
      try {
        const data = await run(loginOperation, { loginData: variables });
        return parse('login', loginData, data).login.result;
      } catch (error) {
        // Wrong password, unknown email, inactive company: all one refusal to the caller.
        if (error instanceof UpstreamGraphQLError) throw new CredentialsRejectedError(error.message);
        throw error;
      }
    },
    async authorization(variables) {
      try {
        const data = await run(authorizationOperation, { authData: variables });
        return parse('authorization', authorizationData, data).authorization.result;
      } catch (error) {
        // 40101 (invalid or expired), "JWT verification failed" (malformed), or anything else refused.
        if (error instanceof UpstreamGraphQLError) throw new TokenRejectedError(error.message);
        throw error;
      }
    },
    async currentUser(buyerToken) {
      let data: unknown;
      try {
        data = await run(currentUserOperation, {}, { authorization: `Bearer ${buyerToken}` });
      } catch (error) {
        // Any other GraphQL error stays an UpstreamGraphQLError: an upstream fault is not the buyer's.
        if (error instanceof UpstreamGraphQLError && isTokenRefusal(error)) throw new TokenRejectedError(error.message);
        throw error;
      }
      const user = parse('currentUser', currentUserData, data).currentUser;
      // GraphQL's usual "nobody is logged in": the token identifies no user.
      if (user === null) throw new TokenRejectedError('graphql currentUser: the token names no user');
      return user;
    },
  };
}
