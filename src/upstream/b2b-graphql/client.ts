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
} from '../../errors.js';
import type { CircuitBreakers } from '../circuit-breaker.js';
import type { HttpTransport } from '../http-transport.js';
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

/**
 * A graphql-request client whose fetch goes through the gateway's transport (pool, deadline,
 * size limit). No X-Auth-Token is ever attached: `login` and `authorization` are anonymous, and
 * `currentUser` carries only the buyer's own token.
 */
export function createB2BGraphQLClient(endpointUrl: string, transport: HttpTransport, breakers: CircuitBreakers): B2BGraphQLClient {
  const client = new GraphQLClient(endpointUrl, {
    fetch: async (url: URL | RequestInfo, init?: RequestInit) => {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => {
        headers[name] = value;
      });
      // The operation's root field name (`Login` → `login`), the same name its circuit has, so
      // metrics, spans and circuits agree.
      const named = typeof init?.body === 'string' ? /"operationName":"(\w+)"/.exec(init.body)?.[1] : undefined;
      const operation = named === undefined ? 'operation' : named.charAt(0).toLowerCase() + named.slice(1);
      const answer = await transport.send({
        endpoint: `graphql ${operation}`,
        method: 'POST',
        url: String(url),
        headers,
        body: typeof init?.body === 'string' ? init.body : '',
      });
      if (answer.status < 200 || answer.status > 599) {
        throw new UpstreamResponseShapeError(`graphql ${operation}`, `HTTP status ${answer.status}`);
      }
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        if (typeof value === 'string') responseHeaders.set(name, value);
      }
      return new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: responseHeaders });
    },
  });

  function run(name: string, send: () => Promise<unknown>): Promise<unknown> {
    const endpoint = `graphql ${name}`;
    return breakers.run(endpoint, async () => {
      try {
        return await send();
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
      const headers = response.headers instanceof Headers ? Object.fromEntries(response.headers.entries()) : {};
      return new UpstreamRateLimitError(endpoint, retryAfterSeconds({ headers }));
    }
    if (status >= 500) return new UpstreamUnavailableError(endpoint, `HTTP ${status}`, status);
    if (errors.length === 0) return new UpstreamResponseShapeError(endpoint, `HTTP ${status} without GraphQL errors`);
    const described = errors.map((item) => ({ message: typeof item.message === 'string' ? item.message : 'no message', code: item.extensions?.['code'] }));
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
        const data = await run('login', () => client.request(LoginDocument, { loginData: variables }));
        return parse('login', loginData, data).login.result;
      } catch (error) {
        // Wrong password, unknown email, inactive company: all one refusal to the caller.
        if (error instanceof UpstreamGraphQLError) throw new CredentialsRejectedError(error.message);
        throw error;
      }
    },
    async authorization(variables) {
      try {
        const data = await run('authorization', () => client.request(AuthorizationDocument, { authData: variables }));
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
        data = await run('currentUser', () =>
          client.request({ document: CurrentUserDocument, requestHeaders: { authorization: `Bearer ${buyerToken}` } }),
        );
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
