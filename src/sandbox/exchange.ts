// The sandbox's internal view of one HTTP exchange. Handlers are functions from a
// `SandboxRequest` to a `SandboxResponse` and never touch node's streams: the server writes the
// response, which lets a fault truncate or replace whatever a handler produced.

/** The request body as read off the wire. */
export type ParsedBody =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; raw: string };

export interface SandboxRequest {
  method: string;
  pathname: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
  body: ParsedBody;
}

export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

export function parseBody(raw: string): ParsedBody {
  if (raw.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(raw) as unknown };
  } catch {
    return { kind: 'invalid', raw };
  }
}

/** What the request log keeps of a body: parsed JSON, the raw string, or `undefined`. */
export function recordedBody(body: ParsedBody): unknown {
  switch (body.kind) {
    case 'empty':
      return undefined;
    case 'json':
      return body.value;
    case 'invalid':
      return body.raw;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
