import { z } from 'zod';
import { storeHashSchema } from '../config/store-hash.js';
import { InputValidationError } from '../errors/gateway-errors.js';

/**
 * Checks a GraphQL input with a zod schema and returns the parsed value. The first problem is
 * thrown as an `InputValidationError` naming the field (`input.credentials.email`), never the
 * value (it may be a password).
 */
export function validateInput<Schema extends z.ZodType>(schema: Schema, value: unknown, path: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [path, ...(issue?.path ?? []).map(String)].join('.');
  throw new InputValidationError(field, issue?.message ?? 'is invalid');
}

// Optional GraphQL arguments arrive as `null` or absent; both mean "not given".
const optional = <Schema extends z.ZodType>(schema: Schema) =>
  schema.nullish().transform((value) => value ?? undefined);

export const emailField = z
  .string()
  .min(1, 'must not be empty')
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

export const passwordField = z.string().min(1, 'must not be empty').max(1024, 'must be at most 1024 characters');

export const jwtField = z
  .string()
  .min(1, 'must not be empty')
  .max(8192, 'must be at most 8192 characters')
  .regex(/^\S+$/, 'must not contain white space');

export const storeHashField = optional(storeHashSchema);

export const positiveId = z.number().int().positive('must be a positive integer');

export const channelIdField = optional(positiveId);

export { optional };
