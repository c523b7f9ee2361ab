import { z } from 'zod';
import { ORIGIN_PATTERN } from '../config/cors-origins.js';
import { instant } from './schemas.js';
import { InputValidationError } from '../errors/gateway-errors.js';
import { channelIdField, optional, storeHashField, validateInput } from './validate.js';

/** `masqueradeCompanies(search:)`: blank means no search. */
export const masqueradeSearch = optional(z.string().trim().max(100, 'must be at most 100 characters')).transform((value) => (value === '' ? undefined : value));

/** `masqueradeCompanies(first:)`; an explicit null means the default. */
export const masqueradeFirst = optional(z.number().int().min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100')).transform((value) => value ?? 20);

/** `masqueradeCompanies(offset:)`; an explicit null means the default. */
export const masqueradeOffset = optional(z.number().int().min(0, 'must not be negative')).transform((value) => value ?? 0);

/** `beginMasquerade(companyId:)`: an `ID` holding the numeric company id, which upstream takes as an `Int`. */
export const companyId = z
  .string()
  .regex(/^\d{1,10}$/, 'must be a company id: a positive integer')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be a company id: a positive integer').max(2_147_483_647, 'must be a company id: a positive integer'));

/** `checkoutLogin(cartId:)`. */
export const cartId = z.string().trim().min(1, 'must not be blank').max(255, 'must be at most 255 characters');

/**
 * `IssueStorefrontApiTokenInput`, without the checks that need the clock or the configuration.
 * An origin pattern (`*`, `http://localhost:*`) has an origin's form: it passes here, and the
 * resolver refuses it as an origin the gateway does not serve.
 */
const storefrontApiTokenShape = z.object({
  expiresAt: instant,
  allowedCorsOrigins: z
    .array(z.string().max(255, 'must be at most 255 characters').regex(ORIGIN_PATTERN, 'must be an origin like https://shop.example'))
    .max(10, 'must list at most 10 origins'),
  channelId: channelIdField,
  storeHash: storeHashField,
});

/** The latest instant B2B GraphQL's `Int` of Unix seconds can carry: 2038-01-19T03:14:07Z. */
const LAST_UNIX_SECOND = 2_147_483_647;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Validates `IssueStorefrontApiTokenInput` against the request's clock: `expiresAt` in the future
 * and at most `maxTtlMs` ahead. Answers it with `expiresAt` in the whole Unix seconds sent upstream.
 */
export function validateStorefrontApiToken(value: unknown, path: string, now: Date, maxTtlMs: number) {
  const input = validateInput(storefrontApiTokenShape, value, path);
  const expiresAt = Math.floor(input.expiresAt.getTime() / 1000);
  if (expiresAt * 1000 <= now.getTime()) throw new InputValidationError(`${path}.expiresAt`, 'must be in the future');
  if (input.expiresAt.getTime() - now.getTime() > maxTtlMs) {
    const days = maxTtlMs / DAY_MS;
    const limit = Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${maxTtlMs} ms`;
    throw new InputValidationError(`${path}.expiresAt`, `must be at most ${limit} ahead`);
  }
  if (expiresAt > LAST_UNIX_SECOND) throw new InputValidationError(`${path}.expiresAt`, 'must be before 2038-01-19T03:14:08Z');
  return { ...input, expiresAt };
}
