import { z } from 'zod';
import { InputValidationError, type UpstreamHttpError } from '../../errors/gateway-errors.js';

/*
 * BigCommerce B2B REST error answers (docs/upstream.md#rest-errors) come in several shapes, so they are
 * read leniently; success bodies (`{code, data, meta}`) are checked strictly by each endpoint.
 */

const errorMessageText = z.string().trim().min(1);

/** Field → messages, as in a 422 `data.errMsg`. */
const fieldMessages = z.record(z.string(), z.union([z.array(z.string()), z.string()]));

const errorBody = z
  .object({
    code: z.union([z.number(), z.string()]).optional(),
    data: z.object({ errMsg: z.union([errorMessageText, fieldMessages]).optional() }).loose().nullish().catch(undefined),
    meta: z.object({ message: errorMessageText.optional().catch(undefined) }).loose().nullish().catch(undefined),
    message: errorMessageText.optional().catch(undefined),
    detail: errorMessageText.optional().catch(undefined),
  })
  .loose();

/** What the gateway understood of an error answer. */
export interface NormalisedError {
  /** The envelope's `code`, which need not agree with the HTTP status. */
  code: number | undefined;
  /** The most specific message found, in the order `data.errMsg`, `meta.message`, `message`, `detail`. */
  message: string | undefined;
  /** For validation errors: field → messages. */
  fieldErrors: Record<string, string[]> | undefined;
}

/** Reads an error message from any of the documented envelopes; never throws. */
export function normaliseErrorBody(body: unknown): NormalisedError {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return { code: undefined, message: undefined, fieldErrors: undefined };
  const { code, data, meta, message, detail } = parsed.data;
  const errMsg = data?.errMsg;
  const fieldErrors =
    errMsg !== undefined && typeof errMsg === 'object'
      ? Object.fromEntries(Object.entries(errMsg).map(([field, messages]) => [field, Array.isArray(messages) ? messages : [messages]]))
      : undefined;
  const numericCode = typeof code === 'number' ? code : code !== undefined && /^\d+$/.test(code) ? Number(code) : undefined;
  return {
    code: numericCode,
    message: (typeof errMsg === 'string' ? errMsg : undefined) ?? meta?.message ?? message ?? detail,
    fieldErrors,
  };
}

/** A token in a success body: three base64url parts (the last may be empty). */
export const jwtString = z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]*$/, 'not a JWT');

/** A 422 answer as a validation error naming its first field under `prefix` (`input.email`, `limit`). */
export function fieldError(error: UpstreamHttpError, prefix: string): InputValidationError {
  const [field, messages] = Object.entries(error.fieldErrors ?? {})[0] ?? [];
  const path = [prefix, field].filter((part) => part !== undefined && part !== '').join('.');
  return new InputValidationError(path || 'input', messages?.[0] ?? error.upstreamMessage ?? 'rejected by BigCommerce');
}
