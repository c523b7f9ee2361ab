import { describe, expect, it } from 'vitest';
import { normaliseErrorBody, type NormalisedError } from '../../../src/upstream/rest/envelope.js';
import { retryAfterSeconds } from '../../../src/upstream/rest/rest-client.js';

const nothing: NormalisedError = { code: undefined, message: undefined, fieldErrors: undefined };

describe('normaliseErrorBody reads every REST error envelope (docs/upstream.md#rest-errors)', () => {
  it.each<{ shape: string; body: unknown; expected: NormalisedError }>([
    {
      shape: 'the B2B envelope with a string errMsg',
      body: { code: 400, data: { errMsg: 'Customer auth failed' }, meta: { message: 'Calling BC API failed' } },
      expected: { code: 400, message: 'Customer auth failed', fieldErrors: undefined },
    },
    {
      shape: 'the B2B envelope, 422 with field → messages',
      body: { code: 422, data: { errMsg: { firstName: ['This field may not be null'] } }, meta: { message: 'Parameter Error' } },
      expected: { code: 422, message: 'Parameter Error', fieldErrors: { firstName: ['This field may not be null'] } },
    },
    {
      shape: 'the B2B envelope, 422 with field → one message',
      body: { code: 422, data: { errMsg: { email: 'Enter a valid email address.', name: ['a', 'b'] } }, meta: { message: 'Parameter Error' } },
      expected: { code: 422, message: 'Parameter Error', fieldErrors: { email: ['Enter a valid email address.'], name: ['a', 'b'] } },
    },
    {
      shape: 'the B2B envelope with only meta.message',
      body: { code: 500, data: {}, meta: { message: 'Internal Server Error' } },
      expected: { code: 500, message: 'Internal Server Error', fieldErrors: undefined },
    },
    {
      shape: 'the flat {code, message}',
      body: { code: 403, message: 'Invalid token' },
      expected: { code: 403, message: 'Invalid token', fieldErrors: undefined },
    },
    {
      shape: 'the v2 {code, data: {}, message}',
      body: { code: 404, data: {}, message: 'Not Found Error' },
      expected: { code: 404, message: 'Not Found Error', fieldErrors: undefined },
    },
    {
      shape: 'the bare {detail}',
      body: { detail: 'Method "GET" not allowed.' },
      expected: { code: undefined, message: 'Method "GET" not allowed.', fieldErrors: undefined },
    },
    {
      shape: 'a numeric string code',
      body: { code: '401', message: 'Unauthorized' },
      expected: { code: 401, message: 'Unauthorized', fieldErrors: undefined },
    },
    {
      shape: 'a non-numeric string code',
      body: { code: 'E_AUTH', message: 'Unauthorized' },
      expected: { code: undefined, message: 'Unauthorized', fieldErrors: undefined },
    },
    {
      shape: 'messages padded with white space',
      body: { code: 400, data: { errMsg: '  Customer auth failed \n' } },
      expected: { code: 400, message: 'Customer auth failed', fieldErrors: undefined },
    },
  ])('$shape', ({ body, expected }) => {
    expect(normaliseErrorBody(body)).toEqual(expected);
  });

  it('prefers data.errMsg, then meta.message, then message, then detail', () => {
    const all = { data: { errMsg: 'errMsg' }, meta: { message: 'meta' }, message: 'message', detail: 'detail' };
    expect(normaliseErrorBody(all).message).toBe('errMsg');
    expect(normaliseErrorBody({ ...all, data: {} }).message).toBe('meta');
    expect(normaliseErrorBody({ ...all, data: {}, meta: {} }).message).toBe('message');
    expect(normaliseErrorBody({ detail: 'detail' }).message).toBe('detail');
  });

  it.each<{ part: string; body: unknown; expected: NormalisedError }>([
    { part: 'an empty errMsg', body: { code: 400, data: { errMsg: '' }, meta: { message: 'Bad Request' } }, expected: { code: 400, message: 'Bad Request', fieldErrors: undefined } },
    { part: 'a blank message', body: { code: 403, message: '   ', detail: 'Forbidden' }, expected: { code: 403, message: 'Forbidden', fieldErrors: undefined } },
    { part: 'errMsg null', body: { code: 400, data: { errMsg: null }, meta: { message: 'Bad Request' } }, expected: { code: 400, message: 'Bad Request', fieldErrors: undefined } },
    { part: 'errMsg a number', body: { code: 400, data: { errMsg: 42 }, message: 'Bad Request' }, expected: { code: 400, message: 'Bad Request', fieldErrors: undefined } },
    { part: 'data a list', body: { code: 400, data: [1, 2], message: 'Bad Request' }, expected: { code: 400, message: 'Bad Request', fieldErrors: undefined } },
    { part: 'data null', body: { code: 404, data: null, message: 'Not Found Error' }, expected: { code: 404, message: 'Not Found Error', fieldErrors: undefined } },
    { part: 'meta a string', body: { code: 500, meta: 'oops', detail: 'down' }, expected: { code: 500, message: 'down', fieldErrors: undefined } },
    { part: 'message an object', body: { code: 500, message: { text: 'x' } }, expected: { code: 500, message: undefined, fieldErrors: undefined } },
  ])('ignores $part and reads the rest', ({ body, expected }) => {
    expect(normaliseErrorBody(body)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', '<html>502 Bad Gateway</html>'],
    ['a number', 502],
    ['a boolean', true],
    ['a list', [{ code: 400, message: 'x' }]],
    ['an empty object', {}],
    ['an unrelated object', { errors: [{ message: 'GraphQL error' }] }],
  ])('answers nothing for %s, without throwing', (_kind, body) => {
    expect(normaliseErrorBody(body)).toEqual(nothing);
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2025-01-01T00:00:00.000Z');

  it.each<{ when: string; headers: Record<string, string | string[] | undefined>; expected: number | undefined }>([
    { when: 'Retry-After in seconds', headers: { 'retry-after': '7' }, expected: 7 },
    { when: 'Retry-After in seconds with white space', headers: { 'retry-after': ' 12 ' }, expected: 12 },
    { when: 'Retry-After 0', headers: { 'retry-after': '0' }, expected: 0 },
    { when: 'Retry-After repeated: the first', headers: { 'retry-after': ['7', '9'] }, expected: 7 },
    { when: 'Retry-After as an HTTP date 30 s ahead', headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }, expected: 30 },
    { when: 'Retry-After as an HTTP date in the past', headers: { 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }, expected: 0 },
    { when: 'only X-Request-Window-Resets-After', headers: { 'x-request-window-resets-after': '42' }, expected: 42 },
    { when: 'X-Request-Window-Resets-After with a fraction, rounded up', headers: { 'x-request-window-resets-after': '1.2' }, expected: 2 },
    {
      when: 'both: Retry-After wins',
      headers: { 'retry-after': '7', 'x-request-window-resets-after': '42' },
      expected: 7,
    },
    {
      when: 'an unreadable Retry-After: X-Request-Window-Resets-After',
      headers: { 'retry-after': 'soon', 'x-request-window-resets-after': '5' },
      expected: 5,
    },
    { when: 'an unreadable X-Request-Window-Resets-After', headers: { 'x-request-window-resets-after': 'later' }, expected: undefined },
    { when: 'a negative X-Request-Window-Resets-After', headers: { 'x-request-window-resets-after': '-3' }, expected: undefined },
    { when: 'neither header', headers: { 'content-type': 'application/json' }, expected: undefined },
    { when: 'no headers at all', headers: {}, expected: undefined },
  ])('$when → $expected', ({ headers, expected }) => {
    expect(retryAfterSeconds({ headers }, now)).toBe(expected);
  });

  it('rounds an HTTP date up to whole seconds', () => {
    expect(retryAfterSeconds({ headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' } }, now + 500)).toBe(30);
  });
});
