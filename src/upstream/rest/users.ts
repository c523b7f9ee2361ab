import { z } from 'zod';
import type { StoreConfig } from '../../config/stores.js';
import { UpstreamHttpError } from '../../errors/gateway-errors.js';
import type { UpstreamUser } from '../models.js';
import type { RestClient } from './rest-client.js';

// `data` of `GET /api/v3/io/users/{userId}` (docs/upstream.md#rest-management-users): the fields the gateway uses.
const managementUser = z
  .object({
    id: z.number().int(),
    customerId: z.number().int(),
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    role: z.number().int(),
  })
  .transform(
    (user): UpstreamUser => ({
      id: String(user.id),
      bcId: user.customerId,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      role: user.role,
    }),
  );

/** `GET /api/v3/io/users/{userId}`: one B2B user, or `null` when the store has none with that id. */
export async function fetchUser(rest: RestClient, store: StoreConfig, userId: number): Promise<UpstreamUser | null> {
  try {
    return await rest.call({ method: 'GET', path: `/api/v3/io/users/${userId}`, store, serverToken: true, data: managementUser });
  } catch (error) {
    if (error instanceof UpstreamHttpError && error.status === 404) return null;
    throw error;
  }
}
