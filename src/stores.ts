import type { StoreConfig } from './config.js';
import { ForbiddenError } from './errors.js';

/** The stores this gateway serves, looked up by the `storeHash` an input names. */
export interface StoreDirectory {
  /** The store named, or the default store when none is named. Throws `ForbiddenError` for any other. */
  resolve(storeHash: string | undefined): StoreConfig;
}

export function createStoreDirectory(defaultStore: StoreConfig, others: readonly StoreConfig[] = []): StoreDirectory {
  const byHash = new Map([defaultStore, ...others].map((store) => [store.storeHash, store]));
  return {
    resolve(storeHash) {
      if (storeHash === undefined) return defaultStore;
      const store = byHash.get(storeHash);
      // Answered before any upstream call, so the gateway cannot be used to probe other stores.
      if (store === undefined) throw new ForbiddenError('This gateway does not serve that store.');
      return store;
    },
  };
}
