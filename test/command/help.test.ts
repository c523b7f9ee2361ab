// `b2b-auth-gateway --help` and the table of docs/configuration.md, both written from the one list
// of variables.
// test/shipping/cli.test.ts runs the built command's --help.
import { describe, expect, it } from 'vitest';
import { helpText, variablesMarkdown } from '../../src/command/help.js';
import { SECRET_VARIABLES } from '../../src/config/secret-files.js';
import { ENVIRONMENT_VARIABLES } from '../../src/config/variables.js';

const VARIABLES = Object.keys(ENVIRONMENT_VARIABLES);

describe('helpText', () => {
  it('lists every environment variable, and the _FILE twin of every secret', () => {
    const help = helpText('1.2.3');

    expect(help).toMatch(/^b2b-auth-gateway 1\.2\.3: /);
    for (const name of VARIABLES) expect(help).toContain(`\n  ${name}\n`);
    for (const name of SECRET_VARIABLES) expect(help).toContain(`Or ${name}_FILE: `);
    expect(help).not.toContain('`');
  });
});

describe('variablesMarkdown', () => {
  it('has one row per variable, in --help order', () => {
    const rows = variablesMarkdown().trimEnd().split('\n').slice(2);

    expect(rows.map((row) => /^\| `(\w+)` \|/.exec(row)?.[1])).toEqual(VARIABLES);
  });
});
