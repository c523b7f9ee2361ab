import type { StoreConfig } from '../config/stores.js';
import { ForbiddenError } from '../errors/gateway-errors.js';

/** The stores this gateway serves, looked up by the `storeHash` (and `channelId`) an input names. */
export interface StoreDirectory {
  /**
   * The store named, or the default store when none is named. Throws `ForbiddenError` for a
   * store the gateway does not serve, and for a `channelId` outside the store's `channels`.
   */
  resolve(storeHash: string | undefined, channelId?: number): StoreConfig;
  /** Every store served, the default one first. */
  readonly stores: readonly StoreConfig[];
}

export function createStoreDirectory(defaultStore: StoreConfig, others: readonly StoreConfig[] = []): StoreDirectory {
  const stores = [defaultStore, ...others.filter((store) => store.storeHash !== defaultStore.storeHash)];
  const byHash = new Map(stores.map((store) => [store.storeHash, store]));
  return {
    stores,
    resolve(storeHash, channelId) {
      const store = storeHash === undefined ? defaultStore : byHash.get(storeHash);
      // Answered before any upstream call, so the gateway cannot be used to probe other stores.
      if (store === undefined) throw new ForbiddenError('This gateway does not serve that store.');
      // The same answer for a channel: the gateway serves a store on the channels configured.
      if (channelId !== undefined && store.channels !== undefined && !store.channels.includes(channelId)) {
        throw new ForbiddenError('This gateway does not serve that channel of the store.');
      }
      return store;
    },
  };
}
