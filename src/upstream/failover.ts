import type { StoreConfig } from '../config/stores.js';
import { UpstreamUnavailableError } from '../errors/gateway-errors.js';
import type { TokenSource } from '../generated/resolvers-types.js';
import type { AuthorizationResult, B2BGraphQLClient, LoginResult } from './b2b-graphql/client.js';
import type { RestClient } from './rest/rest-client.js';
import { issueFromCredentials, issueFromSessionJwt } from './rest/storefront-auth.js';

/** The upstream clients and the switch, as the resolvers' context holds them. */
export interface FailoverDeps {
  rest: RestClient;
  graphql: B2BGraphQLClient;
  /** Serve over REST while B2B GraphQL is down: `config.pathFailover`. */
  failover: boolean;
}

/**
 * An outage of the path, as opposed to an answer (a refusal, a rate limit, a malformed body).
 * A timeout is not failed over: it has used the caller's whole deadline already, and a second
 * path would double the wait. Repeated timeouts open the path's circuit, and from then on the
 * fast CircuitOpenError (an UpstreamUnavailableError) is failed over at once.
 */
const isOutage = (error: unknown) => error instanceof UpstreamUnavailableError;

/** The token name the REST fallback records in BigCommerce. */
const FAILOVER_TOKEN_NAME = 'b2b-auth-gateway-failover';

/**
 * `login` through B2B GraphQL; while that path is down (unreachable, reset, 5xx, circuit open)
 * and failover is on, through REST `POST /api/io/auth/customers` instead. A refusal from
 * GraphQL ("wrong password") is an answer, not an outage, and is never retried elsewhere.
 * The REST path has no user, permissions or storefront login token to give.
 */
export async function loginOverAnyPath(
  deps: FailoverDeps,
  store: StoreConfig,
  request: { email: string; password: string; channelId: number },
): Promise<{ result: LoginResult; via: TokenSource }> {
  try {
    const result = await deps.graphql.login({ storeHash: store.storeHash, ...request });
    return { result, via: 'GRAPHQL_LOGIN' };
  } catch (error) {
    if (!deps.failover || !isOutage(error)) throw error;
    const token = await issueFromCredentials(deps.rest, store, { ...request, name: FAILOVER_TOKEN_NAME });
    return { result: { token, storefrontLoginToken: null, user: null, permissions: [] }, via: 'REST_CREDENTIALS' };
  }
}

/**
 * `authorization` through B2B GraphQL; while that path is down and failover is on, through REST
 * `GET /api/io/auth/storefront`. The channel is sent to REST only when the caller named one
 * (docs/upstream.md#token-from-a-session-jwt).
 */
export async function authorizeOverAnyPath(
  deps: FailoverDeps,
  store: StoreConfig,
  request: { bcToken: string; channelId: number; channelGiven: boolean },
): Promise<{ result: AuthorizationResult; via: TokenSource }> {
  try {
    const result = await deps.graphql.authorization({ bcToken: request.bcToken, channelId: request.channelId });
    return { result, via: 'GRAPHQL_AUTHORIZATION' };
  } catch (error) {
    if (!deps.failover || !isOutage(error)) throw error;
    const token = await issueFromSessionJwt(deps.rest, store, {
      jwtToken: request.bcToken,
      ...(request.channelGiven && { channelId: request.channelId }),
    });
    return { result: { token, permissions: [] }, via: 'REST_SESSION_JWT' };
  }
}
