import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { variablesMarkdown } from '../src/help.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists every environment variable exactly as --help does (npm run variables:print)', () => {
    expect(readme).toContain(variablesMarkdown().trim());
  });

  it('states the two set-up commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm install && npm test');
  });
});
