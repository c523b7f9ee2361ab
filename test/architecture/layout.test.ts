// The folders of src/ are the architecture: what a folder may hold, checked so the layout keeps
// explaining itself as files are added.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url);

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
