import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships an ESM and a CommonJS copy. Node gives every package the CommonJS one;
    // without this, Vite would give our sources the ESM one, and `instanceof GraphQLError`
    // checks in Yoga would fail in tests only.
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql') },
      // The package's own name, as the embedding examples import it (tsconfig.json `paths` too).
      { find: /^b2b-auth-gateway$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Each file starts its own servers on port 0; files run in parallel on both cores.
    pool: 'forks',
  },
});
