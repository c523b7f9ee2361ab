// The folders of src/ are the architecture, and test/ mirrors them: what a folder may hold,
// checked so the layout keeps explaining itself as files are added.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url);
const TEST = new URL('../', import.meta.url);

/**
 * The folders of test/ that are not a folder of src/: suites that cross many modules, named for
 * what they are, and the helpers they share.
 */
const SUITES = ['architecture', 'docs', 'e2e', 'examples', 'federation', 'field', 'fuzz', 'graphiql', 'http', 'security', 'shipping', 'support'];

const filesIn = (folder: string) =>
  readdirSync(new URL(folder, SRC), { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();

describe('src/', () => {
  it('holds at its root only the entry points, the factory, its schema and its context', () => {
    expect(filesIn('./')).toEqual(['cli.ts', 'context.ts', 'gateway.ts', 'index.ts', 'main.ts', 'schema.ts']);
  });

  it('holds in plugins/ only Yoga plugins, each a use-*.ts', () => {
    const plugins = filesIn('plugins/');
    expect(plugins.length).toBeGreaterThan(0);
    expect(plugins.filter((name) => !/^use-[a-z-]+\.ts$/.test(name))).toEqual([]);
  });
});

describe('test/', () => {
  it('mirrors src/: every folder of tests is a folder of src/, or a suite named for what it is', () => {
    const folders = readdirSync(TEST, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => relative(fileURLToPath(TEST), join(entry.parentPath, entry.name)).split(sep).join('/'));
    expect(folders.length).toBeGreaterThan(SUITES.length);
    const strays = folders.filter((folder) => !SUITES.includes(folder.split('/')[0] as string) && !existsSync(new URL(`${folder}/`, SRC)));
    expect(strays).toEqual([]);
  });
});
