import type { Plugin, YogaServerOptions } from 'graphql-yoga';

/** What {@link bodyLimitOptions} lets a caller change. */
export interface BodyLimits {
  /**
   * Largest request body read, in bytes. A bigger one is answered HTTP 413,
   * `REQUEST_ENTITY_TOO_LARGE`: at once when `Content-Length` says so, and as soon as the count
   * passes the limit when the body comes chunked (or with a false length). The gateway's
   * requests take a few hundred bytes; 64 KiB still carries an `_entities` call for ~1,500 users.
   * @default 65536 (64 KiB)
   */
  maxBytes: number;
}

/** The limits the gateway applies. */
export const DEFAULT_BODY_LIMITS: Readonly<BodyLimits> = Object.freeze({ maxBytes: 64 * 1024 });

/** The request-body part of Yoga's options. */
export type BodyLimitServerOptions = Required<Pick<YogaServerOptions<Record<string, never>, object>, 'maxRequestBodySize' | 'batching' | 'multipart'>>;

/**
 * Yoga's options that bound what one HTTP request may carry. Yoga counts the bytes itself
 * (`maxRequestBodySize` limits the stream every body parser reads; its default is 25 MB). Use
 * with {@link useCloseAfterTooLarge}.
 */
export function bodyLimitOptions(overrides: Partial<BodyLimits> = {}): BodyLimitServerOptions {
  const limits = { ...DEFAULT_BODY_LIMITS, ...overrides };
  return {
    maxRequestBodySize: limits.maxBytes,
    // One operation per request (Yoga's default, made explicit): an array body is answered
    // HTTP 400, BAD_REQUEST, "Batching is not supported.", and none of its operations runs.
    batching: false,
    // The schema takes no uploads; without this, a multipart body would be parsed into files.
    multipart: false,
  };
}

/**
 * Ends the connection after every 413. When a chunked body passes the limit, Yoga stops reading
 * it mid-way and the rest stays on the socket: on a kept-alive connection the next request,
 * maybe another client's behind a pooling proxy, would wait behind those bytes forever.
 * `Connection: close` makes Node close the socket once the answer is sent, as Kestrel does.
 */
export function useCloseAfterTooLarge(): Plugin {
  return {
    onResponse({ response }) {
      if (response.status === 413) response.headers.set('connection', 'close');
    },
  };
}
