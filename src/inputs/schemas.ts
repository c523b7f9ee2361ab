import { z } from 'zod';
import { InputValidationError } from '../errors/gateway-errors.js';
import { channelIdField, emailField, jwtField, optional, passwordField, positiveId, storeHashField, validateInput } from './validate.js';

/** `LoginInput`. */
export const loginInput = z.object({
  email: emailField,
  password: passwordField,
  storeHash: storeHashField,
  channelId: channelIdField,
});

/** `AuthorizationInput`. */
export const authorizationInput = z.object({
  bcToken: jwtField,
  storeHash: storeHashField,
  channelId: channelIdField,
});

/** A `DateTime` input: a valid Date. */
export const instant = z.date().refine((date) => !Number.isNaN(date.getTime()), 'must be a valid date');

/** `StorefrontCredentialsInput`, without the checks that need the clock (see {@link validateCredentials}). */
const credentialsShape = z.object({
  email: emailField,
  password: passwordField,
  storeHash: storeHashField,
  channelId: channelIdField,
  name: optional(z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters')),
  beginAt: optional(instant),
  endAt: optional(instant),
});

/**
 * Validates `StorefrontCredentialsInput` against the request's clock. The zod schema is built
 * once (zod compiles each new schema, which cost a schema per request); the validity window is
 * checked after it: `endAt` in the future first, then after `beginAt`.
 */
export function validateCredentials(value: unknown, path: string, now: Date): z.output<typeof credentialsShape> {
  const input = validateInput(credentialsShape, value, path);
  if (input.endAt !== undefined && input.endAt.getTime() <= now.getTime()) throw new InputValidationError(`${path}.endAt`, 'must be in the future');
  if (input.beginAt !== undefined && input.endAt !== undefined && input.endAt <= input.beginAt) {
    throw new InputValidationError(`${path}.endAt`, 'must be after beginAt');
  }
  return input;
}

/** `StorefrontSessionJwtInput`. */
export const sessionJwtInput = z.object({
  jwtToken: jwtField,
  storeHash: storeHashField,
  channelId: channelIdField,
});

/** `StorefrontCustomerInput`. */
export const customerInput = z.object({
  customerId: positiveId,
  storeHash: storeHashField,
  channelId: channelIdField,
  customerAccessToken: optional(
    z.object({
      value: z.string().min(1, 'must not be empty').max(8192, 'must be at most 8192 characters'),
      expiresAt: instant,
    }),
  ),
});
