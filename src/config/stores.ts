import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { readConfigFile } from './secret-files.js';
import { storeHashSchema } from './store-hash.js';

/** One BigCommerce store the gateway serves. */
export interface StoreConfig {
  /** The store hash, e.g. `abc123`. */
  storeHash: string;
  /** The store-level API account's X-Auth-Token. A secret: never logged, never sent to a browser. */
  authToken: string;
  /** The storefront channel used when an input does not name one. @default 1 */
  defaultChannelId: number;
  /**
   * The storefront channels served (`GATEWAY_STORES` `channels`): an input naming another one
   * answers FORBIDDEN before any upstream call. `undefined`: any channel.
   * @default undefined
   */
  channels?: readonly number[];
  /**
   * The store's storefront, e.g. `https://shop.example` (`B2B_STOREFRONT_URL`, or `storefrontUrl`
   * in `GATEWAY_STORES`): where `login`'s `storefrontLoginUrl` sends the shopper
   * (`<storefrontUrl>/login/token/<storefrontLoginToken>`). No trailing slash. `undefined`: no
   * `storefrontLoginUrl`.
   * @default undefined
   */
  storefrontUrl?: string;
}

/**
 * A storefront's URL: http(s), no credentials, query or fragment; answered as its origin and path
 * without the trailing slashes, so a path can be appended.
 */
export const storefrontUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  // A pipe, not a refinement: zod runs refinements on a value that already failed, and `new URL`
  // would throw on it.
  .pipe(
    z.string().refine((value) => {
      const url = new URL(value);
      return url.username === '' && url.password === '' && url.search === '' && url.hash === '';
    }, 'must not hold credentials, a query or a fragment'),
  )
  // Rebuilt from its parts, so a bare `?` or `#` left at the end cannot swallow the path appended.
  .transform((value) => {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  });

const channelId = z.number().int().positive('must be a positive integer');

/**
 * One store of `GATEWAY_STORES`. Exactly one of `authToken` and `authTokenFile`; `channels`
 * restricts the channels an input may name (any channel when absent); `defaultChannelId` is the
 * channel used when an input names none (default: `B2B_CHANNEL_ID` when `channels` allows it,
 * else the first of `channels`); `storefrontUrl` is the store's storefront, for
 * `storefrontLoginUrl`.
 */
export const storeEntrySchema = z
  .strictObject({
    /** The store-level API account's access token (X-Auth-Token). A secret. */
    authToken: z.string().trim().min(1, 'must not be empty').optional(),
    /** A file holding the access token; relative paths start at the GATEWAY_STORES file's folder. */
    authTokenFile: z.string().trim().min(1, 'must not be empty').optional(),
    /** The storefront channels served; an input naming another one answers FORBIDDEN. */
    channels: z
      .array(channelId)
      .min(1, 'must list at least one channel (leave it out to allow any)')
      .refine((list) => new Set(list).size === list.length, 'must not repeat a channel')
      .optional(),
    /** The channel used when an input names none. */
    defaultChannelId: channelId.optional(),
    /** The store's storefront URL, for `storefrontLoginUrl`. */
    storefrontUrl: storefrontUrlSchema.optional(),
  })
  .superRefine((entry, context) => {
    if ((entry.authToken === undefined) === (entry.authTokenFile === undefined)) {
      context.addIssue({ code: 'custom', message: 'give exactly one of authToken and authTokenFile', path: [] });
    }
    if (entry.defaultChannelId !== undefined && entry.channels !== undefined && !entry.channels.includes(entry.defaultChannelId)) {
      context.addIssue({ code: 'custom', message: 'must be one of channels', path: ['defaultChannelId'] });
    }
  });

/**
 * `GATEWAY_STORES`: store hash → {@link storeEntrySchema}, at least one store.
 *
 * ```json
 * {
 *   "abc123": { "authToken": "…", "channels": [1, 2], "defaultChannelId": 1, "storefrontUrl": "https://shop.example" },
 *   "def456": { "authTokenFile": "/run/secrets/def456-token" }
 * }
 * ```
 */
export const gatewayStoresSchema = z
  .record(storeHashSchema, storeEntrySchema)
  .refine((stores) => Object.keys(stores).length > 0, 'must name at least one store');

/** A store as `GATEWAY_STORES` gives it: the default channel is filled in by {@link assembleStores}. */
export interface ListedStore {
  storeHash: string;
  authToken: string;
  channels: number[] | undefined;
  defaultChannelId: number | undefined;
  storefrontUrl: string | undefined;
}

export type ParsedStores = { ok: true; stores: ListedStore[] } | { ok: false; problems: string[] };

const NAME = 'GATEWAY_STORES';

/**
 * Parses `GATEWAY_STORES`: inline JSON when the value starts with `{`, else the path of a JSON
 * file. Reads every `authTokenFile` once. Problems name the variable, the store and the field,
 * and the file paths, never a token or a file's content (not even through a JSON syntax error,
 * whose message would quote the text around the mistake).
 */
export function parseGatewayStores(value: string): ParsedStores {
  const inline = value.trimStart().startsWith('{');
  let text = value;
  let folder = process.cwd();
  if (!inline) {
    const path = value.trim();
    const read = readConfigFile(path);
    if (!read.ok) return { ok: false, problems: [`${NAME}: ${path} ${read.reason} (the value is inline JSON when it starts with "{", else a file path)`] };
    text = read.value;
    folder = dirname(resolve(path));
  }
  const where = inline ? 'is not valid JSON' : `${value.trim()} is not valid JSON`;

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`${NAME}: ${where}${syntaxErrorPosition(error)}`] };
  }
  const parsed = gatewayStoresSchema.safeParse(json);
  if (!parsed.success) {
    // zod messages state the rule broken; they never quote the value (which may be a token). A
    // key that is not a store hash gets the store-hash rule's words, not zod's "Invalid key".
    const message = (issue: z.core.$ZodIssue) => (issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message);
    return { ok: false, problems: parsed.error.issues.map((issue) => `${[NAME, ...issue.path.map(String)].join('.')}: ${message(issue)}`) };
  }

  const problems: string[] = [];
  const stores = Object.entries(parsed.data).flatMap(([storeHash, entry]): ListedStore[] => {
    let authToken = entry.authToken;
    if (entry.authTokenFile !== undefined) {
      const path = resolve(folder, entry.authTokenFile);
      const read = readConfigFile(path);
      if (!read.ok) {
        problems.push(`${NAME}.${storeHash}.authTokenFile: ${path} ${read.reason}`);
        return [];
      }
      authToken = read.value.trim();
    }
    return [{ storeHash, authToken: authToken as string, channels: entry.channels, defaultChannelId: entry.defaultChannelId, storefrontUrl: entry.storefrontUrl }];
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, stores };
}

// V8's messages quote the JSON around the mistake; only the position is kept.
function syntaxErrorPosition(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return ` (line ${lineColumn[1]} column ${lineColumn[2]})`;
  const position = /at position (\d+)/.exec(message);
  if (position) return ` (at character ${position[1]})`;
  return /end of JSON input/i.test(message) ? ' (it ends too early)' : '';
}

/** The single-store variables, as far as they are set. */
export interface SingleStoreVariables {
  /** `B2B_STORE_HASH`. */
  storeHash: string | undefined;
  /** `B2B_AUTH_TOKEN` (or the content of `B2B_AUTH_TOKEN_FILE`). */
  authToken: string | undefined;
  /** `B2B_CHANNEL_ID`: the single store's default channel, and every listed store's fallback. */
  channelId: number;
  /** `B2B_STOREFRONT_URL`: the storefront of the store `B2B_STORE_HASH` names. */
  storefrontUrl?: string | undefined;
}

/**
 * Every store served, the default one first, from the single-store variables and
 * `GATEWAY_STORES` together:
 *
 * - `B2B_STORE_HASH` + `B2B_AUTH_TOKEN` add a store (with `B2B_CHANNEL_ID`, any channel and
 *   `B2B_STOREFRONT_URL`); it must not also be listed in `GATEWAY_STORES`.
 * - `B2B_STORE_HASH` alone names the default store among `GATEWAY_STORES`; `B2B_STOREFRONT_URL`
 *   is then its storefront, unless its entry gives one (both is a problem).
 * - The default store is the one `B2B_STORE_HASH` names, else the first of `GATEWAY_STORES`.
 *
 * Problems that need both sources are returned; the caller reports them with the others.
 */
export function assembleStores(single: SingleStoreVariables, listed: readonly ListedStore[] | undefined): { stores: StoreConfig[]; problems: string[] } {
  const fromList = (listed ?? []).map(
    (store): StoreConfig => ({
      storeHash: store.storeHash,
      authToken: store.authToken,
      defaultChannelId:
        store.defaultChannelId ?? (store.channels === undefined || store.channels.includes(single.channelId) ? single.channelId : (store.channels[0] as number)),
      ...(store.channels !== undefined && { channels: store.channels }),
      ...(store.storefrontUrl !== undefined && { storefrontUrl: store.storefrontUrl }),
    }),
  );
  // The single store's fields, as `StoreConfig` holds them.
  const singleStore = (storeHash: string, authToken: string): StoreConfig => ({
    storeHash,
    authToken,
    defaultChannelId: single.channelId,
    ...(single.storefrontUrl !== undefined && { storefrontUrl: single.storefrontUrl }),
  });
  if (listed === undefined) {
    const store = single.storeHash !== undefined && single.authToken !== undefined ? [singleStore(single.storeHash, single.authToken)] : [];
    return { stores: store, problems: [] };
  }

  const problems: string[] = [];
  const { storeHash, authToken } = single;
  if (storeHash === undefined) {
    if (authToken !== undefined) problems.push('B2B_AUTH_TOKEN: needs B2B_STORE_HASH, the store it belongs to (or list the store in GATEWAY_STORES)');
    if (single.storefrontUrl !== undefined) problems.push('B2B_STOREFRONT_URL: needs B2B_STORE_HASH, the store it belongs to (or give storefrontUrl in GATEWAY_STORES)');
    return { stores: fromList, problems };
  }
  const named = fromList.find((store) => store.storeHash === storeHash);
  if (authToken !== undefined) {
    if (named !== undefined) {
      problems.push(`B2B_STORE_HASH: store "${storeHash}" is also listed in GATEWAY_STORES; give its token in one place only`);
      return { stores: [], problems };
    }
    return { stores: [singleStore(storeHash, authToken), ...fromList], problems };
  }
  if (named === undefined) {
    problems.push(`B2B_STORE_HASH: store "${storeHash}" is not listed in GATEWAY_STORES and B2B_AUTH_TOKEN is not set`);
    return { stores: [], problems };
  }
  if (single.storefrontUrl !== undefined && named.storefrontUrl !== undefined) {
    problems.push(`B2B_STOREFRONT_URL: store "${storeHash}" gives storefrontUrl in GATEWAY_STORES too; give it in one place only`);
    return { stores: [], problems };
  }
  const defaultStore = single.storefrontUrl === undefined ? named : { ...named, storefrontUrl: single.storefrontUrl };
  return { stores: [defaultStore, ...fromList.filter((store) => store !== named)], problems };
}
