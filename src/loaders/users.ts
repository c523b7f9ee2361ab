import DataLoader from 'dataloader';
import type { StoreConfig } from '../config/stores.js';
import type { UpstreamUser } from '../upstream/models.js';
import type { RestClient } from '../upstream/rest/rest-client.js';
import { fetchUser } from '../upstream/rest/users.js';
import { mapWithConcurrency } from './concurrency.js';

/**
 * Per-request loader of B2B users by id for `_entities`. DataLoader fetches each distinct id
 * once; the REST API has no batch lookup, so a batch is fetched with bounded concurrency, and
 * a large `_entities` call cannot burst through the store's 150-per-minute limit.
 */
export function createUserLoader(rest: RestClient, store: StoreConfig, concurrency: number) {
  return new DataLoader<number, UpstreamUser | null>(
    (ids) => mapWithConcurrency(ids, concurrency, (id) => fetchUser(rest, store, id)),
    { maxBatchSize: 100 },
  );
}

export type UserLoader = ReturnType<typeof createUserLoader>;
