// Request validation with the upstream's error shape: a 422 in the B2B envelope whose `errMsg`
// maps each field to a list of messages, worded like the Django REST framework the upstream runs on.
import { z } from 'zod';
import { invalidJsonBody, parameterError, type FieldErrors } from './envelope.js';
import { isPlainObject, type SandboxRequest, type SandboxResponse } from './exchange.js';

export type Validated<T> = { ok: true; value: T } | { ok: false; response: SandboxResponse };

/** An integer field that, like the upstream, also accepts a numeric string (`"1"`). */
export function intField(inner: z.ZodType<number> = z.int()): z.ZodType<number> {
  return z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value), inner);
}

/** `limit` (1–250, default 10) and `offset` (default 0) of the list endpoints. */
export const paginationQuery = z.object({
  limit: intField(z.int().min(1).max(250)).default(10),
  offset: intField(z.int().min(0)).default(0),
});

/** Validates a JSON object body: 400 when it is not JSON, 422 when a field is wrong. */
export function validateBody<T>(request: SandboxRequest, schema: z.ZodType<T>): Validated<T> {
  const { body } = request;
  if (body.kind === 'invalid') return { ok: false, response: invalidJsonBody() };
  const value = body.kind === 'empty' ? {} : body.value;
  if (!isPlainObject(value)) {
    const got = Array.isArray(value) ? 'list' : value === null ? 'NoneType' : typeof value;
    return {
      ok: false,
      response: parameterError({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] }),
    };
  }
  return validate(value, schema);
}

/** Validates query parameters (all strings; use {@link intField} for numbers). */
export function validateQuery<T>(request: SandboxRequest, schema: z.ZodType<T>): Validated<T> {
  return validate(request.query, schema);
}

function validate<T>(input: Record<string, unknown>, schema: z.ZodType<T>): Validated<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'non_field_errors';
    (errors[field] ??= []).push(messageFor(issue, valueAt(input, issue.path)));
  }
  return { ok: false, response: parameterError(errors) };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[String(key)];
  }
  return current;
}

function messageFor(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'custom') return issue.message;
  if (value === undefined) return 'This field is required';
  if (value === null) return 'This field may not be null';
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int' || issue.expected === 'number') return 'A valid integer is required';
      if (issue.expected === 'string') return 'Not a valid string';
      if (issue.expected === 'object') return `Expected a dictionary of items but got type "${typeof value}"`;
      return `Expected ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') return 'This field may not be blank';
      return `Ensure this value is greater than or equal to ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `Ensure this field has no more than ${String(issue.maximum)} characters`;
      return `Ensure this value is less than or equal to ${String(issue.maximum)}`;
    case 'invalid_format':
      return issue.format === 'email' ? 'Enter a valid email address' : 'Invalid format';
    default:
      return issue.message;
  }
}
