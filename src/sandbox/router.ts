// The upstream's route table: method + path pattern → handler.
import { deleteAuthBackend, getBackendTokens, postAuthBackend } from './backend-token-routes.js';
import type { SandboxContext } from './context.js';
import { getAuthStorefront, postAuthCustomers, postAuthCustomersStorefront } from './customer-token-routes.js';
import { methodNotAllowed, routeNotFound } from './envelope.js';
import type { SandboxRequest, SandboxResponse } from './exchange.js';
import type { GraphqlEndpoint } from './graphql-endpoint.js';
import { getUser, listUsers } from './user-routes.js';

type Handler = (
  request: SandboxRequest,
  context: SandboxContext,
  params: Record<string, string>,
) => Promise<SandboxResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  handle: Handler;
}

const REST_ROUTES: readonly Route[] = [
  { method: 'POST', pattern: /^\/api\/io\/auth\/customers$/, handle: postAuthCustomers },
  { method: 'POST', pattern: /^\/api\/io\/auth\/customers\/storefront$/, handle: postAuthCustomersStorefront },
  { method: 'GET', pattern: /^\/api\/io\/auth\/storefront$/, handle: getAuthStorefront },
  { method: 'POST', pattern: /^\/api\/io\/auth\/backend$/, handle: postAuthBackend },
  { method: 'DELETE', pattern: /^\/api\/io\/auth\/backend$/, handle: deleteAuthBackend },
  { method: 'GET', pattern: /^\/api\/io\/backend\/tokens$/, handle: getBackendTokens },
  {
    method: 'GET',
    pattern: /^\/api\/v3\/io\/users\/(?<userId>\d+)$/,
    handle: (request, context, params) => getUser(request, context, { userId: params['userId'] ?? '' }),
  },
  { method: 'GET', pattern: /^\/api\/v3\/io\/users$/, handle: listUsers },
];

/** Whether a path belongs to the imitated upstream (and so is rate limited). */
export function isUpstreamPath(pathname: string): boolean {
  return pathname === '/graphql' || pathname.startsWith('/api/');
}

export function createRouter(context: SandboxContext, graphql: GraphqlEndpoint) {
  const routes: readonly Route[] = [
    ...REST_ROUTES,
    // Any method: the GraphQL endpoint answers wrong methods itself, GraphQL-style.
    { method: '*', pattern: /^\/graphql$/, handle: (r) => graphql(r) },
  ];

  return async function route(request: SandboxRequest): Promise<SandboxResponse> {
    // A trailing slash is tolerated (a sandbox choice; upstream behaviour is undocumented).
    const pathname = request.pathname.length > 1 ? request.pathname.replace(/\/+$/, '') : request.pathname;
    const onPath = routes.filter((r) => r.pattern.test(pathname));
    if (onPath.length === 0) return routeNotFound();
    const match = onPath.find((r) => r.method === request.method || r.method === '*');
    if (match === undefined) return methodNotAllowed(request.method, onPath.map((r) => r.method));
    const params = { ...match.pattern.exec(pathname)?.groups };
    return match.handle(request, context, params);
  };
}
