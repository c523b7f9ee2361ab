import { z } from 'zod';

/**
 * What a store hash may look like, wherever one is read: `B2B_STORE_HASH`, a key of
 * `GATEWAY_STORES`, the `storeHash` of a GraphQL input, and the store a sandbox plays. Each
 * message states the rule broken, never the value.
 */
export const storeHashSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]*$/, 'must contain only letters, digits, "-" and "_"');
