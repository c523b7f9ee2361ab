import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from '../../src/observability/logger.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJlbWFpbCI6ImJ1eWVyQGV4YW1wbGUuY29tIn0.c2lnbmF0dXJlLXBhcnQ';
const SERVER_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

/** A logger writing into an array, and the parsed lines. */
function capture(options: Omit<LoggerOptions, 'write'> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', ...options, write: (line) => lines.push(line) });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('createLogger', () => {
  it('writes one JSON line per call with level, time, message and fields', () => {
    const { logger, lines, entries } = capture();
    logger.info('upstream answered', { status: 200, endpoint: 'POST /api/io/auth/customers' });
    expect(lines).toHaveLength(1);
    expect(entries()).toEqual([
      { level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), msg: 'upstream answered', status: 200, endpoint: 'POST /api/io/auth/customers' },
    ]);
  });

  it('accepts Yoga-style calls: an object first, extra strings appended to the message', () => {
    const { logger, entries } = capture();
    logger.debug({ phase: 'parse' });
    logger.warn('request', 'aborted');
    expect(entries()).toEqual([
      { level: 'debug', time: expect.any(String), phase: 'parse' },
      { level: 'warn', time: expect.any(String), msg: 'request aborted' },
    ]);
  });

  describe('level threshold', () => {
    it('drops lines below the level', () => {
      const { logger, entries } = capture({ level: 'warn' });
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      expect(entries().map((entry) => entry['level'])).toEqual(['warn', 'error']);
    });

    it('is info by default', () => {
      const lines: string[] = [];
      const logger = createLogger({ write: (line) => lines.push(line) });
      logger.debug('d');
      logger.info('i');
      expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['i']);
    });

    it('tells which levels it writes, so a caller can skip building a line', () => {
      const enabled = (level: LoggerOptions['level']) => {
        const { logger } = capture({ level });
        return (['debug', 'info', 'warn', 'error'] as const).filter((each) => logger.isLevelEnabled?.(each));
      };
      expect(enabled('debug')).toEqual(['debug', 'info', 'warn', 'error']);
      expect(enabled('info')).toEqual(['info', 'warn', 'error']);
      expect(enabled('warn')).toEqual(['warn', 'error']);
      expect(enabled('error')).toEqual(['error']);
    });
  });

  describe('redaction', () => {
    it('by key, at any depth and in lists, whatever the case', () => {
      const { logger, lines, entries } = capture();
      logger.info('input', {
        password: 'Passw0rd!',
        input: { email: 'buyer@example.com', Password: 'Passw0rd!', credentials: [{ passwd: 'x', pass: 'Passw0rd!' }] },
        headers: { 'X-Auth-Token': 'server-token-value', 'x-gateway-key': 'gateway-key-value', authorization: 'Bearer abc', cookie: 'sid=1' },
        bcToken: 'current-customer-value',
        jwtToken: 'session-jwt-value',
        clientSecret: 'client-secret-value',
        token: { value: 'issued-token-value' },
      });
      expect(entries()[0]).toEqual({
        level: 'info',
        time: expect.any(String),
        msg: 'input',
        password: '[redacted]',
        input: { email: 'buyer@example.com', Password: '[redacted]', credentials: [{ passwd: '[redacted]', pass: '[redacted]' }] },
        headers: { 'X-Auth-Token': '[redacted]', 'x-gateway-key': '[redacted]', authorization: '[redacted]', cookie: '[redacted]' },
        bcToken: '[redacted]',
        jwtToken: '[redacted]',
        clientSecret: '[redacted]',
        token: '[redacted]',
      });
      for (const secret of ['Passw0rd!', 'server-token-value', 'gateway-key-value', 'Bearer abc', 'session-jwt-value', 'issued-token-value', 'client-secret-value']) {
        expect(lines.join('\n')).not.toContain(secret);
      }
    });

    it('keeps null and missing secrets visible as such', () => {
      const { logger, entries } = capture();
      logger.info('x', { password: null, token: undefined });
      expect(entries()[0]).toEqual({ level: 'info', time: expect.any(String), msg: 'x', password: null });
    });

    it('by secret value, in messages, fields and error messages', () => {
      const { logger, lines } = capture({ secrets: [SERVER_TOKEN] });
      logger.warn(`calling with ${SERVER_TOKEN}`, { note: `x-${SERVER_TOKEN}-y`, list: [SERVER_TOKEN] });
      logger.error('failed', new Error(`refused ${SERVER_TOKEN}`));
      expect(lines.join('\n')).not.toContain(SERVER_TOKEN);
      expect(lines.join('\n').match(/\[redacted\]/g)).toHaveLength(4);
    });

    it('ignores secrets shorter than 4 characters (they would redact ordinary words)', () => {
      const { logger, entries } = capture({ secrets: ['at', ''] });
      logger.info('at the gate');
      expect(entries()[0]?.['msg']).toBe('at the gate');
    });

    it('a secret that JSON escapes (quote, backslash) is still redacted', () => {
      const secret = 'key"with\\escapes-0123456789';
      const { logger, lines } = capture({ secrets: [secret] });
      logger.info(`presented ${secret}`);
      expect(lines[0]).not.toContain(JSON.stringify(secret).slice(1, -1));
      expect((JSON.parse(lines[0] as string) as { msg: string }).msg).not.toContain(secret);
    });

    it('replaces JWT-shaped strings anywhere, whatever the key', () => {
      const { logger, lines, entries } = capture();
      logger.info(`issued ${JWT} for buyer`, { upstreamBody: `{"data":{"token":"${JWT}"}}`, url: `/api/io/auth/storefront?jwtToken=${JWT}&channelId=1` });
      logger.error('failed', new Error(`bad token ${JWT}`));
      expect(lines.join('\n')).not.toContain(JWT);
      expect(lines.join('\n')).not.toContain('c2lnbmF0dXJlLXBhcnQ');
      expect(entries()[0]).toMatchObject({
        msg: 'issued [jwt] for buyer',
        upstreamBody: '{"data":{"token":"[jwt]"}}',
        url: '/api/io/auth/storefront?jwtToken=[jwt]&channelId=1',
      });
    });

    it('replaces an unsigned JWT (empty signature) too', () => {
      const unsigned = 'eyJhbGciOiJub25lIn0.eyJleHAiOjE3MDAwMDAwMDB9.';
      const { logger, lines } = capture();
      logger.info(`token ${unsigned}`);
      expect(lines[0]).not.toContain('eyJleHAiOjE3MDAwMDAwMDB9');
    });
  });

  describe('errors', () => {
    function thrown(): Error {
      try {
        throw new Error('upstream refused', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
      } catch (error) {
        return error as Error;
      }
    }

    it('are logged with name, message, origin and cause, not the whole stack', () => {
      const error = thrown();
      const { logger, lines, entries } = capture();
      logger.error('operation failed', error);
      expect(entries()[0]).toEqual({
        level: 'error',
        time: expect.any(String),
        msg: 'operation failed',
        err: {
          name: 'Error',
          message: 'upstream refused',
          origin: expect.stringContaining('logger.test.ts'),
          cause: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1', origin: expect.any(String) },
        },
      });
      expect(lines[0]).not.toContain('stack');
      expect(lines[0]?.match(/logger\.test\.ts/g)?.length).toBeLessThanOrEqual(2);
      // The first frame only: the stack has more.
      expect(error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).length).toBeGreaterThan(1);
    });

    it('a GraphQL error is described through its originalError', () => {
      const original = new TypeError('cannot read token');
      const graphqlLike = Object.assign(new Error('Unexpected error.'), { name: 'GraphQLError', originalError: original });
      const { logger, entries } = capture();
      logger.error(graphqlLike);
      expect(entries()[0]).toMatchObject({
        level: 'error',
        err: { name: 'GraphQLError', message: 'Unexpected error.', cause: { name: 'TypeError', message: 'cannot read token' } },
      });
    });

    it('nested in a field, an error is described the same way', () => {
      const { logger, entries } = capture();
      logger.warn('retrying', { error: thrown() });
      expect(entries()[0]).toMatchObject({ error: { name: 'Error', message: 'upstream refused', cause: { message: 'connect ECONNREFUSED 127.0.0.1:1' } } });
      expect(JSON.stringify(entries()[0])).not.toContain('stack');
    });

    it('a cause chain that loops ends', () => {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      (a as { cause?: unknown }).cause = b;
      const { logger, entries } = capture();
      logger.error('loop', a);
      expect(JSON.stringify(entries()[0])).toContain('"message":"b"');
    });
  });

  it('a deep or circular object does not throw and stops at a depth', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 20; i += 1) {
      const next: Record<string, unknown> = {};
      cursor['child'] = next;
      cursor = next;
    }
    const { logger, lines } = capture();
    expect(() => logger.info('deep', { deep })).not.toThrow();
    expect(lines[0]).toContain('[deep]');
  });
});
