// graphql-jit where it answers as the executor would (src/plugins/use-compiled-execution.ts), on a
// small Yoga server of its own: which operations are compiled, and that each answers as named.
import { createSchema, createYoga } from 'graphql-yoga';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useCompiledExecution } from '../../src/plugins/use-compiled-execution.js';

const compiled = vi.hoisted(() => ({ operations: [] as (string | undefined)[] }));
vi.mock('graphql-jit', async (importOriginal) => {
  const jit = await importOriginal<typeof import('graphql-jit')>();
  return {
    ...jit,
    compileQuery: (...args: Parameters<typeof jit.compileQuery>) => {
      compiled.operations.push(args[2]);
      return jit.compileQuery(...args);
    },
  };
});

const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      type Query {
        a: String
        b: String
        echo(input: Pick!): String
      }
      type Mutation {
        attempt(ok: Boolean!): String!
      }
      input Pick @oneOf {
        left: String
        right: String
      }
    `,
    resolvers: {
      Query: { a: () => 'A', b: () => 'B', echo: (_: unknown, { input }: { input: { left?: string; right?: string } }) => input.left ?? input.right },
      Mutation: {
        attempt: (_: unknown, { ok }: { ok: boolean }) => {
          attempts += 1;
          if (!ok) throw new Error('refused');
          return 'done';
        },
      },
    },
  }),
  plugins: [useCompiledExecution()],
  maskedErrors: false,
  logging: false,
});

let attempts = 0;
beforeEach(() => {
  compiled.operations = [];
  attempts = 0;
});

async function post(body: Record<string, unknown>) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string }[] } };
}

describe('compiled execution', () => {
  it('compiles an operation on its second run, once, and runs the compiled query after that', async () => {
    expect((await post({ query: '{ a }' })).body).toEqual({ data: { a: 'A' } });
    expect(compiled.operations).toEqual([]);
    for (let i = 0; i < 3; i += 1) expect((await post({ query: '{ a }' })).body).toEqual({ data: { a: 'A' } });
    expect(compiled.operations).toEqual([undefined]);
  });

  it('never compiles documents that come once: a client sending a new document every time costs no compiling', async () => {
    for (let i = 0; i < 20; i += 1) expect((await post({ query: `{ a${i}: a }` })).body).toEqual({ data: { [`a${i}`]: 'A' } });
    expect(compiled.operations).toEqual([]);
  });

  it('runs each operation of a document as named, compiling each once', async () => {
    const query = 'query First { a } query Second { b }';
    for (let i = 0; i < 3; i += 1) {
      expect((await post({ query, operationName: 'First' })).body).toEqual({ data: { a: 'A' } });
      expect((await post({ query, operationName: 'Second' })).body).toEqual({ data: { b: 'B' } });
    }
    expect(compiled.operations).toEqual(['First', 'Second']);
  });

  it('leaves variables it refuses to the executor, which names the problem and answers 400', async () => {
    const query = 'mutation Attempt($ok: Boolean!) { attempt(ok: $ok) }';
    expect((await post({ query, variables: { ok: true } })).body).toEqual({ data: { attempt: 'done' } });
    const reply = await post({ query, variables: { ok: 'yes' } });
    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors?.map((error) => error.message)).toEqual(['Variable "$ok" got invalid value "yes"; Boolean cannot represent a non boolean value: "yes"']);
    expect(compiled.operations).toEqual([undefined]);
    expect(attempts).toBe(1);
  });

  it('leaves an operation whose variables reach a @oneOf input to the executor, which enforces it', async () => {
    const query = 'query Echo($input: Pick!) { echo(input: $input) }';
    for (let i = 0; i < 2; i += 1) expect((await post({ query, variables: { input: { left: 'L' } } })).body).toEqual({ data: { echo: 'L' } });
    const both = await post({ query, variables: { input: { left: 'L', right: 'R' } } });
    expect(both.status).toBe(400);
    expect(both.body.errors).toHaveLength(1);
    expect(compiled.operations).toEqual([]);
  });

  it('leaves a mutation of several root fields to the executor, which stops at the first that nulls data', async () => {
    for (let i = 0; i < 2; i += 1) {
      const reply = await post({ query: 'mutation { first: attempt(ok: false) second: attempt(ok: true) }' });
      expect(reply.body).toEqual({ data: null, errors: [expect.objectContaining({ message: 'refused', path: ['first'] })] });
    }
    expect(attempts).toBe(2);
    expect(compiled.operations).toEqual([]);
  });

  it('compiles a mutation of one root field; its error keeps its place in the document, and the answer its order', async () => {
    for (let i = 0; i < 2; i += 1) {
      const reply = await post({ query: 'mutation {\n  attempt(ok: false)\n}' });
      expect(reply.body).toEqual({ data: null, errors: [{ message: 'refused', locations: [{ line: 2, column: 3 }], path: ['attempt'] }] });
      // The executor's order, then the compiled query's: errors first both times.
      expect(Object.keys(reply.body)).toEqual(['errors', 'data']);
    }
    expect(compiled.operations).toEqual([undefined]);
  });
});
