// One rule for what a store hash looks like, applied alike wherever one is read.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/environment.js';
import { storeHashSchema } from '../../src/config/store-hash.js';
import { storeHashField, validateInput } from '../../src/inputs/validate.js';
import { createSandbox } from '../../src/sandbox/index.js';

const API = { B2B_API_URL: 'https://api-b2b.bigcommerce.com' };

/** The problems `loadConfig` reports for `env`, or the configuration it reads. */
function load(env: Record<string, string>) {
  try {
    return { config: loadConfig(env) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.problems };
  }
}

describe('storeHashSchema', () => {
  it.each([
    ['a', undefined],
    ['abc123', undefined],
    ['Store_A-1', undefined],
    ['x'.repeat(64), undefined],
    ['', 'must not be empty'],
    ['x'.repeat(65), 'must be at most 64 characters'],
    ['has space', 'must contain only letters, digits, "-" and "_"'],
    ['straße', 'must contain only letters, digits, "-" and "_"'],
    ['a/b', 'must contain only letters, digits, "-" and "_"'],
  ])('"%s": %s', (value, problem) => {
    expect(storeHashSchema.safeParse(value).error?.issues.map((issue) => issue.message)[0]).toBe(problem);
  });
});

describe('B2B_STORE_HASH, a GATEWAY_STORES key, an input and the sandbox give the same verdict', () => {
  it.each(['abc123', 'x'.repeat(64), 'x'.repeat(65), 'has space', 'a.b'])('"%s"', async (value) => {
    const problem = storeHashSchema.safeParse(value).error?.issues[0]?.message;

    const single = load({ ...API, B2B_STORE_HASH: value, B2B_AUTH_TOKEN: 'x-auth-token' });
    const listed = load({ ...API, GATEWAY_STORES: JSON.stringify({ [value]: { authToken: 'x-auth-token' } }) });
    let input: string;
    try {
      input = String(validateInput(storeHashField, value, 'input.storeHash'));
    } catch (error) {
      input = (error as Error).message;
    }
    const sandbox = await createSandbox({ storeHash: value }).then(
      async (started) => {
        await started.close();
        return started.storeHash;
      },
      (error: Error) => error.message,
    );

    if (problem === undefined) {
      expect({ single: single.config?.store?.storeHash, listed: listed.config?.store?.storeHash, input, sandbox }).toEqual({ single: value, listed: value, input: value, sandbox: value });
    } else {
      expect({ single: single.problems, listed: listed.problems, input, sandbox }).toEqual({
        single: [`B2B_STORE_HASH: ${problem}`],
        listed: [`GATEWAY_STORES.${value}: ${problem}`],
        input: `input.storeHash: ${problem}`,
        sandbox: `SandboxOptions.storeHash ${problem}`,
      });
    }
  });
});
