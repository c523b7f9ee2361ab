// Server-to-server authentication of the REST Management endpoints (docs/upstream.md#the-x-auth-token):
// `X-Auth-Token` plus a matching `X-Store-Hash`, or the deprecated B2B `authToken` header holding
// a server-to-server token that still exists.
import type { SandboxContext } from './context.js';
import { flatError, serverError } from './envelope.js';
import type { SandboxRequest, SandboxResponse } from './exchange.js';
import type { ServerToServerToken } from './store.js';

export type ServerPrincipal = { kind: 'api-account' } | { kind: 'legacy-token'; token: ServerToServerToken };

export type ServerAuthResult = { ok: true; principal: ServerPrincipal } | { ok: false; response: SandboxResponse };

export function authenticateServer(request: SandboxRequest, context: SandboxContext): ServerAuthResult {
  const apiToken = nonEmpty(request.headers['x-auth-token']);
  const legacyToken = nonEmpty(request.headers['authtoken']);
  if (apiToken !== undefined) {
    // Upstream resolves the store from the hash before it can look the token up: a missing or
    // foreign hash surfaces as a server error, not as an authentication failure.
    if (request.headers['x-store-hash'] !== context.storeHash) return { ok: false, response: serverError() };
    if (apiToken !== context.authToken) return { ok: false, response: flatError(403, 'Invalid token') };
    return { ok: true, principal: { kind: 'api-account' } };
  }
  if (legacyToken !== undefined) {
    const token = context.store.backendTokenByValue(legacyToken);
    if (token === undefined) return { ok: false, response: flatError(403, 'Invalid token') };
    return { ok: true, principal: { kind: 'legacy-token', token } };
  }
  return { ok: false, response: flatError(403, 'Authentication credentials were not provided.') };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
