import { z } from 'zod';
import { emailField, passwordField, positiveId, storeHashField } from './validate.js';

/** `IssueServerTokenInput`. */
export const issueServerTokenInput = z.object({
  email: emailField,
  password: passwordField,
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  storeHash: storeHashField,
});

/** `serverTokens(limit:)`: BigCommerce's own bounds (docs/upstream.md#list-server-tokens). */
export const pageLimit = z.number().int().min(1, 'must be between 1 and 250').max(250, 'must be between 1 and 250');

/** `serverTokens(offset:)`. */
export const pageOffset = z.number().int().min(0, 'must not be negative');

/** `revokeServerToken(id:)`. */
export const serverTokenId = positiveId;

/** The `storeHash` argument of `serverTokens` and `revokeServerToken`. */
export const storeHashArgument = storeHashField;
