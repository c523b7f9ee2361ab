// Server-to-server (authToken) tokens: issue, list and delete (docs/upstream.md#server-to-server-tokens).
// BigCommerce deprecated these on 2025-09-30 in favour of store-level API accounts; the
// endpoints are still served. Every token value here is a secret.
import { z } from 'zod';
import type { StoreConfig } from '../../config/stores.js';
import { CredentialsRejectedError, ForbiddenError, UpstreamHttpError } from '../../errors/gateway-errors.js';
import { fieldError, jwtString } from './envelope.js';
import type { RestClient } from './rest-client.js';

// docs/upstream.md#issue-a-server-token: `data` is an ARRAY of one `{name, token}`.
const issuedData = z
  .array(z.object({ name: z.string(), token: jwtString }))
  .min(1)
  .transform((items) => items[0] as { name: string; token: string });

/** A server-to-server token as `GET /api/io/backend/tokens` lists it (codegen mapper of `ServerToken`). */
export const serverTokenRecord = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  storeHash: z.string(),
  token: z.string().min(1),
  /** `app`, `admin` or `api` as documented; kept as text so a new value does not break the list. */
  eventChannel: z.string(),
});
export type ServerTokenRecord = z.infer<typeof serverTokenRecord>;

// docs/upstream.md#list-server-tokens: the list in `data`, the page in `meta.pagination`.
const tokenPage = z.object({
  data: z.array(serverTokenRecord),
  meta: z.object({
    pagination: z.object({ totalCount: z.number().int().min(0), limit: z.number().int(), offset: z.number().int() }),
  }),
});

export interface IssueServerTokenRequest {
  /** A backend (control panel) user with the built-in Store Owner or Administrator role. */
  email: string;
  password: string;
  /** The name BigCommerce records for the token. */
  name: string;
}

/**
 * `POST /api/io/auth/backend` (docs/upstream.md#issue-a-server-token): a server-to-server token
 * from a backend user's login.
 * The endpoint takes no API account (`security: []`), so the store's X-Auth-Token is not sent.
 */
export async function issueServerToken(rest: RestClient, store: StoreConfig, request: IssueServerTokenRequest): Promise<{ name: string; token: string }> {
  try {
    return await rest.call({
      method: 'POST',
      path: '/api/io/auth/backend',
      store,
      serverToken: false,
      body: { storeHash: store.storeHash, email: request.email, password: request.password, name: request.name },
      data: issuedData,
    });
  } catch (error) {
    if (!(error instanceof UpstreamHttpError)) throw error;
    if (error.status === 400 && /role forbidden/i.test(error.upstreamMessage ?? '')) {
      throw new ForbiddenError(
        'Only backend users with the built-in Store Owner or Administrator role can issue server-to-server tokens; BigCommerce refuses custom roles.',
      );
    }
    if (error.status === 400 || error.status === 401) throw new CredentialsRejectedError('POST /api/io/auth/backend refused the backend credentials');
    if (error.status === 422) throw fieldError(error, 'input');
    throw error;
  }
}

export interface ServerTokenPage {
  nodes: ServerTokenRecord[];
  totalCount: number;
  limit: number;
  offset: number;
}

/** `GET /api/io/backend/tokens?limit=&offset=` (docs/upstream.md#list-server-tokens): one page of the store's tokens, values included. */
export async function listServerTokens(rest: RestClient, store: StoreConfig, page: { limit: number; offset: number }): Promise<ServerTokenPage> {
  try {
    const body = await rest.call({
      method: 'GET',
      path: '/api/io/backend/tokens',
      query: { limit: page.limit, offset: page.offset },
      store,
      serverToken: true,
      data: tokenPage,
      wholeBody: true,
    });
    return { nodes: body.data, ...body.meta.pagination };
  } catch (error) {
    if (error instanceof UpstreamHttpError && error.status === 422) throw fieldError(error, '');
    throw error;
  }
}

/**
 * `DELETE /api/io/auth/backend` (docs/upstream.md#delete-a-server-token), the id in the body.
 * The endpoint documents the legacy `authToken` header, which holds a server-to-server token;
 * the gateway holds the store's API account token instead and sends it as `X-Auth-Token` with
 * `X-Store-Hash`, the replacement BigCommerce names for that header
 * (docs/upstream.md#the-x-auth-token). Answers `false` when the store has no such token.
 */
export async function deleteServerToken(rest: RestClient, store: StoreConfig, id: number): Promise<boolean> {
  try {
    await rest.call({ method: 'DELETE', path: '/api/io/auth/backend', store, serverToken: true, body: { id }, data: z.array(z.unknown()) });
    return true;
  } catch (error) {
    // A 404 with a B2B envelope is about the token; a bare 404 page means a wrong base URL.
    if (error instanceof UpstreamHttpError && error.status === 404 && error.upstreamMessage !== undefined) return false;
    if (error instanceof UpstreamHttpError && error.status === 422) throw fieldError(error, '');
    throw error;
  }
}
