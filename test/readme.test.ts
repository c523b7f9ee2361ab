import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const readme = read('README.md');

describe('README', () => {
  it('states the two set-up commands, and package.json has their scripts', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
    expect(JSON.parse(read('package.json')).scripts).toEqual(expect.objectContaining({ start: expect.any(String), test: expect.any(String) }));
  });

  it('stays short enough to read in minutes: at most 12 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12_000);
  });

  it('warns that token claims are read without verifying signatures', () => {
    expect(readme).toContain('**without verifying its signature**');
  });

  it('links every page of docs/', () => {
    const pages = readdirSync(new URL('docs/', ROOT)).filter((file) => file.endsWith('.md'));

    expect(pages.filter((page) => !readme.includes(`(docs/${page}`))).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  it('lists every environment variable exactly as --help does (npm run variables:print)', () => {
    // The script itself, as a contributor runs it, so the page follows wherever the list lives.
    const table = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/print-variables.ts'], { cwd: ROOT, encoding: 'utf8' });

    expect(table).toMatch(/^\| variable \| meaning \| default \|\n/);
    expect(read('docs/configuration.md')).toContain(table.trim());
  });
});
