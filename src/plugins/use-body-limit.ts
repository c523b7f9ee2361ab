import { IncomingMessage } from 'node:http';
import { createGraphQLError, type FetchAPI, type Plugin, type YogaServerOptions } from 'graphql-yoga';

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
 * Yoga's options that bound what one HTTP request may carry. Yoga's own byte count
 * (`maxRequestBodySize`) is turned off: {@link useRequestBodyLimit} does that job. Use the two together.
 */
export function bodyLimitOptions(): BodyLimitServerOptions {
  return {
    maxRequestBodySize: false,
    // One operation per request (Yoga's default, made explicit): an array body is answered
    // HTTP 400, BAD_REQUEST, "Batching is not supported.", and none of its operations runs.
    batching: false,
    // The schema takes no uploads; without this, a multipart body would be parsed into files.
    multipart: false,
  };
}

/**
 * The 413, which also ends the connection. When a chunked body passes the limit, Yoga stops
 * reading it mid-way and the rest stays on the socket: on a kept-alive connection the next
 * request, maybe another client's behind a pooling proxy, would wait behind those bytes forever.
 * `Connection: close` (Yoga puts `extensions.http.headers` on the answer) makes Node close the
 * socket once the answer is sent, as Kestrel does.
 */
const tooLarge = () =>
  createGraphQLError('Request body too large', {
    extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413, headers: { connection: 'close' } } },
  });

/** One non-negative integer; anything else (`-1`, `1,1`, `0x10`) is refused, not skipped. */
const CONTENT_LENGTH = /^\d+$/;

/**
 * Refuses a request body larger than `maxBytes` with HTTP 413, `REQUEST_ENTITY_TOO_LARGE`, as
 * Yoga's `maxRequestBodySize` does, but without a stream per request where none is needed:
 * - a `Content-Length` over the limit is refused before anything is read, and one that is not
 *   a single non-negative integer answers 400, BAD_REQUEST;
 * - a body that came through node:http with a valid `Content-Length` is not counted again:
 *   Node's parser hands the request exactly that many bytes (any more are the next request, and
 *   a request with both `Content-Length` and `Transfer-Encoding` never gets here);
 * - any other body (chunked, or a `Request` given to `yoga.fetch` in-process, whose
 *   `Content-Length` nobody checked) is counted as it is read, and refused once past the limit.
 *
 * Not Yoga's stream: a `TransformStream` and a `pipeline` whose end builds a `DOMException` are
 * a large share of a small request's CPU (docs/decisions/002-body-limit-from-content-length.md).
 */
export function useRequestBodyLimit(maxBytes: number = DEFAULT_BODY_LIMITS.maxBytes): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!CONTENT_LENGTH.test(contentLength)) {
          throw createGraphQLError('Content-Length header is invalid.', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
        }
        if (Number(contentLength) > maxBytes) throw tooLarge();
        if ((serverContext as { req?: unknown } | undefined)?.req instanceof IncomingMessage) return;
      }
      if (requestParser === undefined || request.body === null) return;
      const parse = requestParser;
      setRequestParser((req) => parse(countingBody(req, maxBytes, fetchAPI)));
    },
  };
}

/** `request` with a body that errors with a 413 once more than `maxBytes` have been read. */
function countingBody(request: Request, maxBytes: number, fetchAPI: FetchAPI): Request {
  let bytesRead = 0;
  // A body of Node's own streams takes Node's TransformStream; whatwg-node's takes its own.
  const Transform = request.body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
  const body = request.body?.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytesRead += chunk.byteLength;
        if (bytesRead > maxBytes) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body: body ?? null, duplex: 'half' } as RequestInit);
}
