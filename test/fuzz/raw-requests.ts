// Raw request bytes for node's HTTP parser: bad request lines, framing and headers around a
// login that carries a password.
import fc from 'fast-check';
import { codeUnit, headerName, headerValue, validLogin } from './values.js';

const REQUEST_LINES = [
  'POST /graphql HTTP/1.1',
  'POST /graphql HTTP/1.0',
  'POST /graphql HTTP/2.0',
  'POST /graphql HTTP/9.9',
  'POST http://127.0.0.1/graphql HTTP/1.1',
  'POST /graphql?x=1#frag HTTP/1.1',
  'POST  /graphql  HTTP/1.1',
  'POST /gra phql HTTP/1.1',
  'P@ST /graphql HTTP/1.1',
  'POST /graphql',
  'POST /%ZZ HTTP/1.1',
  'GET /graphql?query=%7B__typename%7D HTTP/1.1',
  '\r\nPOST /graphql HTTP/1.1',
];
const RAW_HEADERS = [
  'Content-Type: application/json',
  'Content-Length: 5',
  'Content-Length: -1',
  'Content-Length: 1, 2',
  'Content-Length: 99999999999999999999',
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: gzip, chunked',
  'Transfer-Encoding: chunked, identity',
  'X-Folded: a\r\n b',
  'NoColon',
  ': empty-name',
  'X-Nul: a\u0000b',
  'X-Space : x',
  'Host: a\r\nHost: b',
  'Expect: 100-continue',
  'Upgrade: websocket',
];

/** Bytes for one request; each ends its headers and says `Connection: close`, so the server answers and closes. */
export const rawRequest: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.constantFrom(...REQUEST_LINES), fc.string({ unit: codeUnit, maxLength: 40 }).map((line) => `POST /graphql${line.replace(/[\r\n]/g, '')} HTTP/1.1`)),
    fc.subarray(RAW_HEADERS, { maxLength: 4 }),
    fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
    validLogin,
    fc.constantFrom('json', 'chunked', 'bad-chunk', 'none'),
  )
  .map(([line, special, extra, payload, bodyKind]) => {
    const json = JSON.stringify(payload);
    const body =
      bodyKind === 'json' ? json : bodyKind === 'chunked' ? `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n` : bodyKind === 'bad-chunk' ? `zz\r\n${json}\r\n` : '';
    const lines = [line, 'Host: 127.0.0.1', ...special, ...extra.map(([key, value]) => `${key}: ${value}`), 'Connection: close'];
    if (bodyKind === 'json' && !special.some((header) => /^(content-length|transfer-encoding)/i.test(header))) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    return `${lines.join('\r\n')}\r\n\r\n${body}`;
  });
