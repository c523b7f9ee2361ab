// What every answer to a fuzzed request must satisfy, and the tallies the summary line reports.
import { TRUSTED_KEY } from '../harness.js';
import { FUZZ_AUTH_TOKEN, SECRET_PREFIX } from './values.js';

/** An answer as the client received it. */
export interface Answer {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Statuses a bad request may get: the GraphQL-over-HTTP ones (200 with errors, 400), 401/403 for
 * refusals (CSRF), 404/405 for the wrong route or method, 406/415 for media types, 413 for a body
 * over the limit. 204 answers a CORS preflight (OPTIONS) only.
 */
export const ALLOWED_STATUSES = [200, 400, 401, 403, 404, 405, 406, 413, 415] as const;

const RESPONSE_KEYS = new Set(['data', 'errors', 'extensions']);
// Signs of an unmasked internal error: a stack frame, a source path.
const INTERNALS = [/\bat (?:async )?[\w$.<>[\] ]+ \([^)]*:\d+:\d+\)/, /\bat (?:file:\/\/)?\/[^\s)]+:\d+:\d+/, /\/src\/\w+/, /node_modules/, /file:\/\//, /\.ts:\d+/];

/** The JSON media types a GraphQL response comes in. */
export const isJson = (contentType: string | undefined) => /^application\/(?:graphql-response\+)?json\b/i.test(contentType ?? '');

/**
 * Everything wrong with `answer` to a request sent with `method`: an empty list when it is fine.
 * Secrets are looked for in the status line, the headers and the body.
 */
export function problemsWith(method: string, answer: Answer): string[] {
  const problems: string[] = [];
  const preflight = method.toUpperCase() === 'OPTIONS' && answer.status === 204;
  if (!preflight && !(ALLOWED_STATUSES as readonly number[]).includes(answer.status)) problems.push(`status ${answer.status}`);

  const whole = `${answer.status}\n${Object.entries(answer.headers)
    .map(([header, value]) => `${header}: ${value}`)
    .join('\n')}\n${answer.body}`;
  if (whole.includes(SECRET_PREFIX)) problems.push(`echoes a password: …${excerpt(whole, SECRET_PREFIX)}…`);
  if (whole.includes(FUZZ_AUTH_TOKEN)) problems.push(`echoes the X-Auth-Token: …${excerpt(whole, FUZZ_AUTH_TOKEN)}…`);
  if (whole.includes(TRUSTED_KEY)) problems.push(`echoes the trusted key: …${excerpt(whole, TRUSTED_KEY)}…`);

  if (isJson(answer.headers['content-type']) && method.toUpperCase() !== 'HEAD') problems.push(...graphqlResponseProblems(answer.body));
  return problems;
}

/** A well-formed GraphQL response: `data` and/or `errors`, each error with a string message, nothing internal. */
function graphqlResponseProblems(body: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [`JSON content type but not JSON: ${body.slice(0, 200)}`];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [`not a GraphQL response object: ${body.slice(0, 200)}`];
  const response = parsed as Record<string, unknown>;
  const problems: string[] = [];
  const unknownKeys = Object.keys(response).filter((key) => !RESPONSE_KEYS.has(key));
  if (unknownKeys.length > 0) problems.push(`unexpected keys ${unknownKeys.join(', ')}`);
  if (!('data' in response) && !('errors' in response)) problems.push('neither data nor errors');
  if ('data' in response && response['data'] !== null && (typeof response['data'] !== 'object' || Array.isArray(response['data']))) problems.push('data is not an object');
  if ('errors' in response) {
    const errors = response['errors'];
    if (!Array.isArray(errors) || errors.length === 0) problems.push('errors is not a non-empty list');
    else {
      for (const error of errors as Array<Record<string, unknown>>) {
        if (typeof error?.['message'] !== 'string') {
          problems.push(`an error without a string message: ${JSON.stringify(error).slice(0, 200)}`);
          continue;
        }
        const code = (error['extensions'] as Record<string, unknown> | undefined)?.['code'];
        if (error['message'] === 'Unexpected error.' && code !== 'INTERNAL_SERVER_ERROR') problems.push(`"Unexpected error." with code ${String(code)}`);
        if (code === 'INTERNAL_SERVER_ERROR') problems.push(`an internal error reached the client: ${error['message']}`);
        const serialized = JSON.stringify(error);
        const internal = INTERNALS.find((pattern) => pattern.test(serialized));
        if (internal) problems.push(`unmasked internals (${internal}): ${serialized.slice(0, 300)}`);
      }
    }
  }
  return problems;
}

function excerpt(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return text.slice(Math.max(0, at - 120), at + needle.length + 40);
}

/** The `extensions.code` of each error in a JSON answer. */
export function errorCodes(answer: Answer): string[] {
  if (!isJson(answer.headers['content-type'])) return [];
  try {
    const { errors } = JSON.parse(answer.body) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    return (errors ?? []).map((error) => String(error.extensions?.code ?? 'none'));
  } catch {
    return [];
  }
}

/** Counts of things, printed `key×count` by descending count. */
export class Tally {
  readonly #counts = new Map<string, number>();
  add(key: string | number, by = 1): void {
    this.#counts.set(String(key), (this.#counts.get(String(key)) ?? 0) + by);
  }
  get total(): number {
    return [...this.#counts.values()].reduce((sum, count) => sum + count, 0);
  }
  toString(order: 'count' | 'key' = 'count'): string {
    const entries = [...this.#counts];
    entries.sort(order === 'count' ? (a, b) => b[1] - a[1] : (a, b) => a[0].localeCompare(b[0]));
    return entries.map(([key, count]) => `${key}×${count}`).join(' ');
  }
}
