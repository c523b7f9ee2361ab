import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import type { StoreConfig } from '../../src/config/stores.js';
import { configProblems, tempFolder } from '../support/config.js';

const API = { B2B_API_URL: 'https://api-b2b.bigcommerce.com' };
const TOKEN_A = 'tok-A-Sup3rSecret-0123456789abcdef';
const TOKEN_B = 'tok-B-Sup3rSecret-0123456789abcdef';
const TOKEN_SINGLE = 'tok-S-Sup3rSecret-0123456789abcdef';

const { folder, file } = tempFolder('gateway-stores-');
// Every token above contains it: whatever went wrong, no token is ever printed.
const problemsOf = (env: Record<string, string | undefined>) => configProblems(env, 'Sup3rSecret');

const stores = (json: unknown) => JSON.stringify(json);

describe('GATEWAY_STORES', () => {
  it('inline JSON: every store in order, the first one the default, channels and default channels filled in', () => {
    const config = loadConfig({
      ...API,
      B2B_CHANNEL_ID: '3',
      GATEWAY_STORES: stores({
        storeA: { authToken: TOKEN_A, channels: [1, 2], defaultChannelId: 2 },
        storeB: { authToken: TOKEN_B },
        storeC: { authToken: TOKEN_B, channels: [7, 8] },
      }),
    });
    expect(config.stores).toEqual<StoreConfig[]>([
      { storeHash: 'storeA', authToken: TOKEN_A, channels: [1, 2], defaultChannelId: 2 },
      // No channels: any channel, B2B_CHANNEL_ID by default.
      { storeHash: 'storeB', authToken: TOKEN_B, defaultChannelId: 3 },
      // B2B_CHANNEL_ID is not one of its channels: the first one.
      { storeHash: 'storeC', authToken: TOKEN_B, channels: [7, 8], defaultChannelId: 7 },
    ]);
    expect(config.store).toBe(config.stores[0]);
  });

  it('a file path: the JSON is read from the file, authTokenFile relative to its folder, trailing newlines dropped', () => {
    const sub = join(folder, 'conf');
    mkdirSync(sub, { recursive: true });
    file(`${TOKEN_B}\n`, 'conf/b.token');
    const path = file(stores({ storeA: { authToken: TOKEN_A }, storeB: { authTokenFile: 'b.token' } }), 'conf/stores.json');

    const config = loadConfig({ ...API, GATEWAY_STORES: path });

    expect(config.stores.map(({ storeHash, authToken }) => ({ storeHash, authToken }))).toEqual([
      { storeHash: 'storeA', authToken: TOKEN_A },
      { storeHash: 'storeB', authToken: TOKEN_B },
    ]);
  });

  it('B2B_STORE_HASH alone names the default store among them', () => {
    const config = loadConfig({ ...API, B2B_STORE_HASH: 'storeB', GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A }, storeB: { authToken: TOKEN_B } }) });
    expect(config.stores.map((store) => store.storeHash)).toEqual(['storeB', 'storeA']);
    expect(config.store?.storeHash).toBe('storeB');
  });

  it('combines with B2B_STORE_HASH + B2B_AUTH_TOKEN, which add the default store', () => {
    const config = loadConfig({
      ...API,
      B2B_STORE_HASH: 'single',
      B2B_AUTH_TOKEN: TOKEN_SINGLE,
      B2B_CHANNEL_ID: '2',
      GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A } }),
    });
    expect(config.stores).toEqual<StoreConfig[]>([
      { storeHash: 'single', authToken: TOKEN_SINGLE, defaultChannelId: 2 },
      { storeHash: 'storeA', authToken: TOKEN_A, defaultChannelId: 2 },
    ]);
  });

  it.each<{ problem: string; env: Record<string, string>; lines: string[] }>([
    {
      problem: 'a store given both ways',
      env: { ...API, B2B_STORE_HASH: 'storeA', B2B_AUTH_TOKEN: TOKEN_SINGLE, GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A } }) },
      lines: ['B2B_STORE_HASH: store "storeA" is also listed in GATEWAY_STORES; give its token in one place only'],
    },
    {
      problem: 'B2B_STORE_HASH naming no listed store',
      env: { ...API, B2B_STORE_HASH: 'other', GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A } }) },
      lines: ['B2B_STORE_HASH: store "other" is not listed in GATEWAY_STORES and B2B_AUTH_TOKEN is not set'],
    },
    {
      problem: 'B2B_AUTH_TOKEN without B2B_STORE_HASH',
      env: { ...API, B2B_AUTH_TOKEN: TOKEN_SINGLE, GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A } }) },
      lines: ['B2B_AUTH_TOKEN: needs B2B_STORE_HASH, the store it belongs to (or list the store in GATEWAY_STORES)'],
    },
    {
      problem: 'without B2B_API_URL (the sandbox serves one store)',
      env: { GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A } }) },
      lines: ['GATEWAY_STORES: needs B2B_API_URL (the embedded sandbox serves only its own store)'],
    },
    {
      problem: 'inline JSON that does not parse, holding a token',
      env: { ...API, GATEWAY_STORES: `{"storeA": {"authToken": "${TOKEN_A}",}}` },
      lines: [expect.stringMatching(/^GATEWAY_STORES: is not valid JSON( \(.+\))?$/) as unknown as string],
    },
    {
      problem: 'a store with both authToken and authTokenFile',
      env: { ...API, GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A, authTokenFile: '/run/secrets/a' } }) },
      lines: ['GATEWAY_STORES.storeA: give exactly one of authToken and authTokenFile'],
    },
    {
      problem: 'a store with no token',
      env: { ...API, GATEWAY_STORES: stores({ storeA: { channels: [1] } }) },
      lines: ['GATEWAY_STORES.storeA: give exactly one of authToken and authTokenFile'],
    },
    {
      problem: 'a misspelt field (the token pasted under it)',
      env: { ...API, GATEWAY_STORES: stores({ storeA: { authtoken: TOKEN_A } }) },
      lines: ['GATEWAY_STORES.storeA: Unrecognized key: "authtoken"', 'GATEWAY_STORES.storeA: give exactly one of authToken and authTokenFile'],
    },
    {
      problem: 'a default channel outside the channels',
      env: { ...API, GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A, channels: [1, 2], defaultChannelId: 3 } }) },
      lines: ['GATEWAY_STORES.storeA.defaultChannelId: must be one of channels'],
    },
    {
      problem: 'bad channels',
      env: { ...API, GATEWAY_STORES: stores({ storeA: { authToken: TOKEN_A, channels: [] }, storeB: { authToken: TOKEN_B, channels: [0] } }) },
      lines: ['GATEWAY_STORES.storeA.channels: must list at least one channel (leave it out to allow any)', 'GATEWAY_STORES.storeB.channels.0: must be a positive integer'],
    },
    {
      problem: 'a store hash with a space',
      env: { ...API, GATEWAY_STORES: stores({ 'store A': { authToken: TOKEN_A } }) },
      lines: [expect.stringMatching(/^GATEWAY_STORES\.store A: /) as unknown as string],
    },
    {
      problem: 'no store at all',
      env: { ...API, GATEWAY_STORES: '{}' },
      lines: ['GATEWAY_STORES: must name at least one store'],
    },
    {
      problem: 'a token where a store object belongs',
      env: { ...API, GATEWAY_STORES: stores({ storeA: TOKEN_A }) },
      lines: ['GATEWAY_STORES.storeA: Invalid input: expected object, received string'],
    },
  ])('$problem: one line naming the store and field, never a token', ({ env, lines }) => {
    expect(problemsOf(env)).toEqual(lines);
  });

  it('a path that does not exist is one line naming it', () => {
    const path = join(folder, 'nope.json');
    expect(problemsOf({ ...API, GATEWAY_STORES: path })).toEqual([
      `GATEWAY_STORES: ${path} does not exist (the value is inline JSON when it starts with "{", else a file path)`,
    ]);
  });

  it('a file that is not JSON is reported by path, without its content', () => {
    const path = file(`storeA: ${TOKEN_A}\n`);
    expect(problemsOf({ ...API, GATEWAY_STORES: path })).toEqual([expect.stringMatching(new RegExp(`^GATEWAY_STORES: ${path} is not valid JSON`))]);
  });

  it('an authTokenFile that does not exist names the store and the path', () => {
    const missing = join(folder, 'missing.token');
    expect(problemsOf({ ...API, GATEWAY_STORES: stores({ storeA: { authTokenFile: missing } }) })).toEqual([`GATEWAY_STORES.storeA.authTokenFile: ${missing} does not exist`]);
  });

  it('reports store problems together with the other variables', () => {
    const problems = problemsOf({ ...API, PORT: 'http', GATEWAY_STORES: stores({ storeA: {} }) });
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual(['GATEWAY_STORES.storeA', 'PORT']);
  });
});
