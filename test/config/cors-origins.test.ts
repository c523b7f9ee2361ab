import { describe, expect, it } from 'vitest';
import { originMatcher } from '../../src/config/cors-origins.js';

describe('originMatcher', () => {
  const matches = originMatcher(['https://shop.example', 'http://localhost:*', '*']);

  it.each(['https://shop.example', 'HTTPS://Shop.Example', 'http://localhost', 'http://localhost:3000', 'http://localhost:65535'])('admits %s', (origin) => {
    expect(matches(origin)).toBe(true);
  });

  it.each([
    ['`*`, which names no origin', '*'],
    ['a pattern', 'http://localhost:*'],
    ['another host', 'https://evil.example'],
    ['another port', 'https://shop.example:8443'],
    ['another scheme', 'http://shop.example'],
    ['a subdomain', 'https://www.shop.example'],
    ['a host that only starts like a served one', 'http://localhost.evil.example'],
    ['a path', 'https://shop.example/'],
    ['a non-numeric port', 'http://localhost:abc'],
    ['the null origin', 'null'],
  ])('refuses %s', (_name, origin) => {
    expect(matches(origin)).toBe(false);
  });
});
