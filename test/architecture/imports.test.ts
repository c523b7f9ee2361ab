// How the modules of src/ depend on each other: no import cycle (type imports included, since a
// cycle of types is still two modules that cannot be understood apart), and configuration never
// depends on the plugins that read it.
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Written by GraphQL Code Generator, which imports the context and models it types.
const GENERATED = [/^src\/generated\//, /^src\/upstream\/b2b-graphql\/generated\.ts$/];

/** The relative specifiers a module imports or re-exports, statically or dynamically, values and types alike. */
export function importedSpecifiers(source: string): string[] {
  // Comments go first, so an example inside TSDoc is not an import. Both kinds are taken only
  // where they open a line: `//` inside a string (a URL) is not a comment.
  const code = source.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [
    // `import … from '…'`, `import type …`, `export … from '…'`, `export type … from`, `export * from`.
    /^(?:import|export)\b[^;'"]*?\bfrom\s*(['"])([^'"]+)\1/gm,
    // `import '…'` for its side effects.
    /^import\s*(['"])([^'"]+)\1/gm,
    // `await import('…')`.
    /\bimport\(\s*(['"])([^'"]+)\1\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[2] as string)).filter((specifier) => specifier.startsWith('.'));
}

/** Every TypeScript module of src/ (generated ones aside) → the modules of src/ it imports. Paths are relative to the repository. */
function sourceGraph(): Map<string, string[]> {
  const files = readdirSync(`${ROOT}src`, { recursive: true })
    .map((name) => `src/${String(name).split('\\').join('/')}`)
    .filter((file) => file.endsWith('.ts') && !GENERATED.some((pattern) => pattern.test(file)));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const targets = importedSpecifiers(readFileSync(`${ROOT}${file}`, 'utf8'))
        .map((specifier) => posix.join(posix.dirname(file), specifier).replace(/\.js$/, '.ts'))
        .filter((target) => known.has(target));
      return [file, [...new Set(targets)]];
    }),
  );
}

/**
 * The import cycles of a graph, one per strongly connected component (Tarjan), each as the path
 * `a → b → … → a` that a reader can follow.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node) as number, lowLink.get(next) as number));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node) as number, index.get(next) as number));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => cyclePath(graph, new Set(component)));
}

/** A shortest way from the component's first module (by name) back to itself, inside the component. */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string {
  const start = [...component].sort()[0] as string;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next) || cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      if (next === start) queue.length = 0;
      else queue.push(next);
    }
  }
  const path: string[] = [];
  for (let node = cameFrom.get(start) as string; node !== start; node = cameFrom.get(node) as string) path.unshift(node);
  return [start, ...path, start].join(' → ');
}

describe('the import graph of src/', () => {
  const graph = sourceGraph();

  it('has no cycle, type imports and dynamic imports included', () => {
    expect(findCycles(graph)).toEqual([]);
  });

  it('keeps configuration free of plugins: plugins read configuration, never the other way', () => {
    const fromConfig = [...graph].flatMap(([file, targets]) => (file.startsWith('src/config/') ? targets.filter((target) => target.startsWith('src/plugins/')).map((target) => `${file} → ${target}`) : []));
    expect(fromConfig).toEqual([]);
  });

  it('is read whole: type-only, re-exported and dynamic imports are edges too', () => {
    expect(graph.get('src/config/variables.ts')).toContain('src/config/environment.ts');
    expect(graph.get('src/index.ts')).toContain('src/gateway.ts');
    expect(graph.get('src/gateway.ts')).toContain('src/sandbox/index.ts');
  });
});

describe('findCycles', () => {
  it('names each cycle as a path back to where it starts, and a module importing itself', () => {
    const graph = new Map([
      ['a.ts', ['b.ts', 'd.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(findCycles(graph)).toEqual(['a.ts → b.ts → c.ts → a.ts', 'e.ts → e.ts']);
  });

  it('finds none in a graph without one', () => {
    expect(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', []]]))).toEqual([]);
  });
});

describe('importedSpecifiers', () => {
  it('reads value, type, re-export, side-effect and dynamic imports, and skips comments', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      'import {',
      '  c,',
      "  type C,",
      "} from './c.js';",
      "export { d } from './d.js';",
      "export type * from './e.js';",
      "import './f.js';",
      "import { z } from 'zod';",
      '/**',
      " * import { x } from './in-a-comment.js';",
      ' */',
      "// import { y } from './also-a-comment.js';",
      "const url = 'http://example.com'; const g = await import('./g.js');",
    ].join('\n');
    expect(importedSpecifiers(source).sort()).toEqual(['../b.js', './a.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
  });
});
