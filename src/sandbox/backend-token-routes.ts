// Server-to-server tokens minted from a backend user's login, and their management
// (docs/upstream.md#server-to-server-tokens; all deprecated upstream, still served).
import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { failure, success } from './envelope.js';
import type { SandboxRequest, SandboxResponse } from './exchange.js';
import { authenticateServer } from './server-auth.js';
import { intField, paginationQuery, validateBody, validateQuery } from './validation.js';

const backendLoginBody = z.object({
  storeHash: z.string().min(1),
  email: z.email(),
  password: z.string().min(1),
  name: z.string().min(1),
});

/** `POST /api/io/auth/backend` (docs/upstream.md#issue-a-server-token): needs no API account, only a backend user's credentials. */
export async function postAuthBackend(request: SandboxRequest, context: SandboxContext): Promise<SandboxResponse> {
  const body = validateBody(request, backendLoginBody);
  if (!body.ok) return body.response;
  const { storeHash, email, password, name } = body.value;
  const user = storeHash === context.storeHash ? context.store.authenticateBackendUser(email, password) : undefined;
  if (user === undefined) {
    return failure(400, 'The email or password you have entered is incorrect. Please try again.', 'API logic error');
  }
  if (user.role === 'custom') return failure(400, 'role forbidden', 'API logic error');
  const token = await context.tokens.serverToServerToken(user.email);
  context.store.addBackendToken({ name, email: user.email, storeHash: context.storeHash, token, eventChannel: 'api' });
  return success([{ name, token }]);
}

const deleteBody = z.object({
  id: intField(),
  email: z.string().optional(),
  name: z.string().optional(),
});

/** `DELETE /api/io/auth/backend` (docs/upstream.md#delete-a-server-token): the token id goes in the body. */
export async function deleteAuthBackend(request: SandboxRequest, context: SandboxContext): Promise<SandboxResponse> {
  const auth = authenticateServer(request, context);
  if (!auth.ok) return auth.response;
  const body = validateBody(request, deleteBody);
  if (!body.ok) return body.response;
  const { id, email, name } = body.value;
  if (!context.store.deleteBackendToken(id, { email, name })) {
    return failure(404, 'No matching token was found.', 'Not Found Error');
  }
  return success([]);
}

/** `GET /api/io/backend/tokens` (docs/upstream.md#list-server-tokens): lists the tokens, values included. */
export async function getBackendTokens(request: SandboxRequest, context: SandboxContext): Promise<SandboxResponse> {
  const auth = authenticateServer(request, context);
  if (!auth.ok) return auth.response;
  const query = validateQuery(request, paginationQuery);
  if (!query.ok) return query.response;
  const { limit, offset } = query.value;
  const all = context.store.backendTokens;
  const page = all.slice(offset, offset + limit).map((t) => ({ ...t }));
  return success(page, { pagination: { totalCount: all.length, limit, offset } });
}
