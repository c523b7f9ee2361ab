// Where the SDL files read at run time are, from the repository, a build and the bundled command
// alike (test/shipping/ runs the last two for real).
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_DIR, treeOf, UPSTREAM_SCHEMA_URL } from '../../src/runtime/sdl-files.js';

describe('treeOf', () => {
  it.each([
    ['file:///repo/src/runtime/sdl-files.ts', 'file:///repo/'],
    ['file:///repo/dist/src/runtime/sdl-files.js', 'file:///repo/dist/'],
    ['file:///app/dist/command/src/chunk-5XQ2ZK3A.js', 'file:///app/dist/command/'],
    ['file:///home/me/src/checkout/src/runtime/sdl-files.ts', 'file:///home/me/src/checkout/'],
    ['file:///a%20b/src/runtime/sdl-files.ts', 'file:///a%20b/'],
  ])('%s runs from %s', (moduleUrl, tree) => {
    expect(treeOf(moduleUrl).href).toBe(tree);
  });
});

describe('from the repository', () => {
  it('finds the public SDL files and the upstream SDL the sandbox serves', () => {
    expect(readdirSync(SCHEMA_DIR).filter((name) => name.endsWith('.graphql')).length).toBeGreaterThan(0);
    expect(existsSync(UPSTREAM_SCHEMA_URL)).toBe(true);
    expect(SCHEMA_DIR.href).toBe(new URL('../../schema/', import.meta.url).href);
  });
});
