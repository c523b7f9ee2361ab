import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print } from 'graphql';
import { z } from 'zod';
import {
  CredentialsRejectedError,
  TokenRejectedError,
  UpstreamError,
  UpstreamGraphQLError,
  UpstreamRateLimitError,
  UpstreamResponseShapeError,
  UpstreamUnavailableError,
} from '../../errors.js';
import type { CircuitBreakers } from '../circuit-breaker.js';
import { headerValue, type HttpAnswer, type HttpTransport } from '../http-transport.js';
import { upstreamPermissions, upstreamUser, type UpstreamPermission, type UpstreamUser } from '../models.js';
import { retryAfterSeconds } from '../rest/rest-client.js';
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

/** One upstream operation, printed and named once when the client is built. */
interface Operation<Variables> {
  name: string;
  query: string;
  /** Only carries the variables' type. */
  readonly variables?: Variables;
}

function prepare<Variables>(document: TypedDocumentNode<unknown, Variables>): Operation<Variables> {
  const name = getOperationAST(document)?.name?.value;
  if (name === undefined) throw new Error('createB2BGraphQLClient: upstream operations must be named');
  return { name, query: print(document) };
}

// What a GraphQL-over-HTTP client sends (graphql-request's defaults).
const REQUEST_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  accept: 'application/graphql-response+json, application/json',
  'content-type': 'application/json',
});

/** A GraphQL response body, as far as the gateway relies on its shape. */
interface ExecutionResult {
  data?: unknown;
  errors?: unknown[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The answer's body as a GraphQL response, or `undefined` when it is not one: not a JSON media
 * type, not JSON, not an object, or `errors`, `data` or `extensions` of the wrong type.
 */
function executionResult(answer: HttpAnswer): ExecutionResult | undefined {
  const contentType = headerValue(answer.headers, 'content-type')?.toLowerCase() ?? '';
  if (!contentType.includes('application/json') && !contentType.includes('application/graphql-response+json')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return undefined;
  }
  if (!isPlainObject(body)) return undefined;
  const { data, errors, extensions } = body;
  if (errors !== undefined && !Array.isArray(errors)) return undefined;
  if (data !== undefined && data !== null && !isPlainObject(data)) return undefined;
  if (extensions !== undefined && !isPlainObject(extensions)) return undefined;
  return { data, ...(errors !== undefined && { errors }) };
}

/**
 * The B2B GraphQL client: typed documents printed once, POSTed as JSON through the gateway's
 * transport (pool, deadline, size limit). No X-Auth-Token is ever attached: `login` and
 * `authorization` are anonymous, and `currentUser` carries only the buyer's own token.
 *
 * It answers as graphql-request would (the body is read whatever the HTTP status; a non-2xx
 * status or an `errors` entry is an upstream error) without its per-call work, which was a
 * tenth of a login's CPU in the profile (bench/PROFILE.md): printing the document, and building
 * Headers and a WHATWG Response around every answer.
 */
export function createB2BGraphQLClient(endpointUrl: string, transport: HttpTransport, breakers: CircuitBreakers): B2BGraphQLClient {
  const operations = {
    login: prepare(LoginDocument),
    authorization: prepare(AuthorizationDocument),
    currentUser: prepare(CurrentUserDocument),
  };

  // `name` names the circuit and the errors (`graphql login`); the transport names the call by
  // the operation it sends (`graphql Login`).
  function run<Variables>(name: string, operation: Operation<Variables>, variables: Variables, headers?: Record<string, string>): Promise<unknown> {
    const endpoint = `graphql ${name}`;
    return breakers.run(endpoint, async () => {
      const answer = await transport.send({
        endpoint: `graphql ${operation.name}`,
        method: 'POST',
        url: endpointUrl,
        headers: headers === undefined ? REQUEST_HEADERS : { ...REQUEST_HEADERS, ...headers },
        body: JSON.stringify({ query: operation.query, variables, operationName: operation.name }),
      });
      if (answer.status < 200 || answer.status > 599) throw new UpstreamResponseShapeError(`graphql ${operation.name}`, `HTTP status ${answer.status}`);
      const result = executionResult(answer);
      const ok = answer.status < 300;
      if (ok && result === undefined) throw new UpstreamResponseShapeError(endpoint, 'answer is not a GraphQL response');
      if (!ok || (result?.errors?.length ?? 0) > 0) throw classify(endpoint, answer, result?.errors ?? []);
      return result?.data;
    });
  }

  // Like BigCommerce's own portal, read the body whatever the HTTP status; then decide.
  function classify(endpoint: string, answer: HttpAnswer, errors: readonly unknown[]): UpstreamError {
    const { status } = answer;
    const items = errors.map((item) => (isPlainObject(item) ? item : {}));
    const codes = items.map((item) => (isPlainObject(item['extensions']) ? item['extensions']['code'] : undefined));
    if (status === 429 || codes.some((code) => code === 429 || code === '429' || code === 'RATE_LIMITED')) {
      return new UpstreamRateLimitError(endpoint, retryAfterSeconds(answer));
    }
    if (status >= 500) return new UpstreamUnavailableError(endpoint, `HTTP ${status}`, status);
    if (errors.length === 0) return new UpstreamResponseShapeError(endpoint, `HTTP ${status} without GraphQL errors`);
    const described = items.map((item, index) => ({ message: typeof item['message'] === 'string' ? item['message'] : 'no message', code: codes[index] }));
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
        const data = await run('login', operations.login, { loginData: variables });
        return parse('login', loginData, data).login.result;
      } catch (error) {
        // Wrong password, unknown email, inactive company: all one refusal to the caller.
        if (error instanceof UpstreamGraphQLError) throw new CredentialsRejectedError(error.message);
        throw error;
      }
    },
    async authorization(variables) {
      try {
        const data = await run('authorization', operations.authorization, { authData: variables });
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
        data = await run('currentUser', operations.currentUser, undefined, { authorization: `Bearer ${buyerToken}` });
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
