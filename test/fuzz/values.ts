// fast-check arbitraries for the values inside hostile requests: secrets, unicode and huge text,
// wrongly typed JSON, GraphQL literals and header values. Every password starts with
// `Fuzz-Secret-`, and some values are the sandbox's X-Auth-Token, so the oracle can prove that
// neither ever comes back.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { LOGIN, TRUSTED_KEY } from '../harness.js';

/** Every generated password starts with this; a response or log line containing it leaks one. */
export const SECRET_PREFIX = 'Fuzz-Secret-';
/** The X-Auth-Token the fuzzed sandbox accepts (and the gateway holds). */
export const FUZZ_AUTH_TOKEN = randomBytes(20).toString('hex');

export const password = fc.stringMatching(/^[A-Za-z0-9]{4,12}$/).map((tail) => `${SECRET_PREFIX}${tail}`);
/** A password, or now and then the server-held X-Auth-Token, in a place a client controls. */
export const secret = fc.oneof({ arbitrary: password, weight: 4 }, { arbitrary: fc.constant(FUZZ_AUTH_TOKEN), weight: 1 });

const SPECIAL_TEXT = [
  '\u0000',
  '\u202Egnp.exe',
  'مرحبا بالعالم',
  'שלום',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '\uD800',
  '\uDFFF',
  '\uDBFF\uD800',
  '\uFEFF',
  'e\u0301\u0301\u0301',
  '\u2028\u2029',
  '"\\',
  '\r\n\r\n',
  '<script>alert(1)</script>',
  "'; DROP TABLE users; --",
  '%00%0d%0a',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '__proto__',
  'constructor',
];

// One UTF-16 code unit anywhere in the range (lone surrogates, NUL and controls included), or a
// special sequence.
export const codeUnit = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), weight: 4 },
  { arbitrary: fc.constantFrom(...SPECIAL_TEXT), weight: 1 },
);
export const unicodeText = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...SPECIAL_TEXT),
);
/** 1 KB to ~100 KB: a short unit repeated, so generating it stays cheap. */
export const hugeText = fc
  .record({ unit: fc.string({ unit: codeUnit, minLength: 1, maxLength: 6 }), length: fc.integer({ min: 1_000, max: 100_000 }) })
  .map(({ unit, length }) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

export const text = fc.oneof({ arbitrary: unicodeText, weight: 6 }, { arbitrary: hugeText, weight: 1 });
/** Text with a secret somewhere inside it. */
export const textWithSecret = fc.tuple(unicodeText, secret, unicodeText).map(([before, value, after]) => `${before}${value}${after}`);

/** Any JSON value, including the ones JSON cannot carry faithfully (NaN becomes null). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53 + 1, -0, 1e308, -1e308, 0.1, 2 ** 31, -(2 ** 31) - 1),
  fc.boolean(),
  fc.constant(null),
  unicodeText,
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value where a string belongs, of the wrong type, sometimes wrapping a secret. */
export const wrongTyped = fc.oneof(
  anyJson,
  secret.map((value) => [value]),
  secret.map((value) => ({ value })),
);

export const name = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,15}$/);
export const email = fc.oneof(fc.constantFrom('buyer@example.com', 'BUYER@EXAMPLE.COM', 'shopper@example.com', 'nobody@example.com'), unicodeText, fc.emailAddress());

/**
 * JSON text of `inner` nested `depth` times in objects or lists. Built as text: JSON.stringify
 * of thousands of levels would overflow the test's own stack.
 */
export function nestJson(inner: unknown, depth: number, shape: 'object' | 'list' | 'mixed'): string {
  const opening: string[] = [];
  const closing: string[] = [];
  for (let level = 0; level < depth; level += 1) {
    const list = shape === 'list' || (shape === 'mixed' && level % 2 === 0);
    opening.push(list ? '[' : '{"a":');
    closing.push(list ? ']' : '}');
  }
  return `${opening.join('')}${JSON.stringify(inner)}${closing.reverse().join('')}`;
}

/** Replaces lone surrogates, which `encodeURIComponent` refuses, with U+FFFD. */
export const wellFormed = (value: string) => value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** A GraphQL literal for an argument, sometimes a secret in a string. */
export const literal: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    secret.map((value) => JSON.stringify(value)),
    unicodeText.map((value) => JSON.stringify(value)),
    fc.integer().map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Number.isInteger(n) ? `${n}.0` : String(n))),
    fc.constantFrom('true', 'false', 'null', 'GRAPHQL_LOGIN', '$undefinedVariable', '"""block\nstring"""', '1e999', '0x10', '-', '"unterminated'),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
    fc.array(fc.tuple(fc.oneof(name, fc.constantFrom('email', 'password', 'credentials', 'sessionJwt', 'customer')), tie('value')), { maxLength: 3 }).map(
      (fields) => `{ ${fields.map(([key, value]) => `${key}: ${value}`).join(', ')} }`,
    ),
  ),
})).value;

export const validLoginVariables = fc.record({ email, password: secret }).map((input) => ({ input }));
export const validLogin = validLoginVariables.map((variables) => ({ query: LOGIN, variables }));

// Headers

export const ACCEPTS = [
  'application/graphql-response+json, application/json',
  'application/graphql-response+json',
  'application/json',
  '*/*',
  'text/html',
  'text/html, application/json;q=0.9',
  'text/event-stream',
  'multipart/mixed',
  'application/xml',
  'application/graphql-response+json;q=0',
  'image/png',
  'garbage/;;;q=x',
  '',
];
export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/json;;;boundary=x',
  'application/graphql-response+json',
  'application/graphql',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/xml',
  'application/octet-stream',
  'json',
  '*/*',
  '',
];

/** A header value a client can send: Latin-1 without controls. */
export const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 });
export const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((header) => !['host', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'te', 'keep-alive', 'trailer'].includes(header));

/** Headers an attacker or a broken client sends; secrets only in values. */
export const randomHeaders = fc
  .record(
    {
      accept: fc.constantFrom(...ACCEPTS),
      'x-gateway-key': fc.oneof(headerValue, secret, fc.constant(TRUSTED_KEY), fc.constant(`${TRUSTED_KEY} `), fc.constant(TRUSTED_KEY.slice(0, -1))),
      authorization: fc.oneof(
        headerValue,
        secret.map((value) => `Bearer ${value}`),
        secret.map((value) => `Basic ${Buffer.from(`buyer@example.com:${value}`).toString('base64')}`),
        fc.constantFrom('Bearer', 'Bearer ', 'bearer eyJhbGciOiJub25lIn0.e30.', 'Bearer a.b.c'),
      ),
      'x-auth-token': secret,
      'x-forwarded-for': fc.oneof(headerValue, fc.constantFrom('1.2.3.4', '1.2.3.4, 5.6.7.8', '::1', 'unknown', ',,,', '999.999.999.999')),
      'x-graphql-yoga-csrf': fc.constant('1'),
      origin: fc.oneof(headerValue, fc.constantFrom('http://localhost:3000', 'https://evil.example', 'null')),
      cookie: secret.map((value) => `session=${value}`),
    },
    { requiredKeys: [] },
  )
  .chain((known) => fc.dictionary(headerName, fc.oneof(headerValue, secret), { maxKeys: 3 }).map((extra) => ({ ...extra, ...known })));
