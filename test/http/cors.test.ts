import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.js';

const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
  });

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers.entries()].filter(([name]) => name.startsWith('access-control-') || name === 'vary'));

describe('CORS with GATEWAY_CORS_ORIGINS', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { GATEWAY_CORS_ORIGINS: 'https://shop.example,http://localhost:*' } });
  });
  afterAll(() => harness?.close());

  it('grants a preflight from an allowed origin, reflecting that origin with credentials', async () => {
    const response = await preflight(harness.url, 'https://shop.example');
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      'access-control-allow-origin': 'https://shop.example',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'accept, apollo-require-preflight, authorization, content-type, x-graphql-yoga-csrf, x-request-id',
      'access-control-max-age': '600',
    });
  });

  it('grants any port of an origin given with :*', async () => {
    const response = await preflight(harness.url, 'http://localhost:5173');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it.each(['https://evil.example', 'https://shop.example.evil.example', 'http://localhost.evil.example:80', 'null'])(
    'gives no CORS grant to the refused origin %s',
    async (origin) => {
      const response = await preflight(harness.url, origin);
      expect(corsHeaders(response)).toEqual({});
      const post = await fetch(harness.url, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(corsHeaders(post)).toEqual({});
    },
  );

  it('adds the grant to the actual request of an allowed origin', async () => {
    const response = await fetch(harness.url, {
      method: 'POST',
      headers: { origin: 'https://shop.example', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });
});

describe('CORS defaults', () => {
  it('grants nothing when no origins are configured and the upstream is real', async () => {
    const harness = await startHarness();
    try {
      const response = await preflight(harness.url, 'http://localhost:3000');
      expect(corsHeaders(response)).toEqual({});
    } finally {
      await harness.close();
    }
  });

  it('never pairs a wildcard with credentials', async () => {
    const harness = await startHarness({ env: { GATEWAY_CORS_ORIGINS: '*' } });
    try {
      const response = await preflight(harness.url, 'https://anyone.example');
      // Yoga reflects the origin for `*`; what matters is that no credentials are granted with it.
      expect(response.headers.get('access-control-allow-origin')).toBe('https://anyone.example');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    } finally {
      await harness.close();
    }
  });
});
