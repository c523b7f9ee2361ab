// REST Management v3 users (docs/upstream.md#rest-management-users), for entity lookups.
import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { failure, success } from './envelope.js';
import type { SandboxRequest, SandboxResponse } from './exchange.js';
import { authenticateServer } from './server-auth.js';
import type { StorefrontCustomer } from './store.js';
import { intField, paginationQuery, validateQuery } from './validation.js';

function toUserRecord(customer: StorefrontCustomer): Record<string, unknown> | undefined {
  const membership = customer.company;
  if (membership === null) return undefined;
  return {
    id: membership.userId,
    uuid: membership.uuid,
    companyId: membership.companyId,
    customerId: customer.bcId,
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
    phoneNumber: customer.phone ?? '',
    role: customer.role,
    createdAt: membership.createdAt,
    updatedAt: membership.updatedAt,
  };
}

/** `GET /api/v3/io/users/{userId}`. */
export async function getUser(
  request: SandboxRequest,
  context: SandboxContext,
  params: { userId: string },
): Promise<SandboxResponse> {
  const auth = authenticateServer(request, context);
  if (!auth.ok) return auth.response;
  const userId = Number(params.userId);
  const customer = context.store.companyUsers().find((c) => c.company?.userId === userId);
  const record = customer && toUserRecord(customer);
  if (record === undefined) return failure(404, 'User not found', 'Not Found Error');
  return success(record);
}

const listUsersQuery = paginationQuery.extend({
  companyId: intField().optional(),
  email: z.string().optional(),
});

/** `GET /api/v3/io/users?companyId=&email=&limit=&offset=`. */
export async function listUsers(request: SandboxRequest, context: SandboxContext): Promise<SandboxResponse> {
  const auth = authenticateServer(request, context);
  if (!auth.ok) return auth.response;
  const query = validateQuery(request, listUsersQuery);
  if (!query.ok) return query.response;
  const { companyId, email, limit, offset } = query.value;
  const matching = context.store
    .companyUsers()
    .filter((c) => companyId === undefined || c.company?.companyId === companyId)
    .filter((c) => email === undefined || c.email.toLowerCase() === email.trim().toLowerCase())
    .flatMap((c) => toUserRecord(c) ?? []);
  return success(matching.slice(offset, offset + limit), {
    pagination: { totalCount: matching.length, limit, offset },
  });
}
