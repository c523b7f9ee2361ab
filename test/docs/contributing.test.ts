import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('CONTRIBUTING.md', () => {
  it('gives every dependency of package.json its line under Dependencies', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const section = read('CONTRIBUTING.md').split(/^## Dependencies$/m)[1] ?? '';
    const names = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)];

    expect(names.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
  });
});
