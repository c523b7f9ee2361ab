import { describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../src/config/stores.js';
import { ForbiddenError } from '../../src/errors/gateway-errors.js';
import { createStoreDirectory } from '../../src/access/store-directory.js';

const main: StoreConfig = { storeHash: 'main', authToken: 'token-main', defaultChannelId: 1 };
const other: StoreConfig = { storeHash: 'other', authToken: 'token-other', defaultChannelId: 2, channels: [2, 3] };
const directory = createStoreDirectory(main, [main, other]);

describe('StoreDirectory', () => {
  it('lists every store once, the default first', () => {
    expect(directory.stores).toEqual([main, other]);
  });

  it('answers the default store when none is named, and the store named otherwise', () => {
    expect(directory.resolve(undefined)).toBe(main);
    expect(directory.resolve('main')).toBe(main);
    expect(directory.resolve('other')).toBe(other);
  });

  it('refuses a store it does not serve', () => {
    expect(() => directory.resolve('elsewhere')).toThrow(new ForbiddenError('This gateway does not serve that store.'));
  });

  it('accepts any channel of a store without `channels`, and only the listed ones otherwise', () => {
    expect(directory.resolve(undefined, 42)).toBe(main);
    expect(directory.resolve('other', 3)).toBe(other);
    expect(() => directory.resolve('other', 1)).toThrow(new ForbiddenError('This gateway does not serve that channel of the store.'));
  });
});
