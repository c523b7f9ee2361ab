import type { StoreConfig } from '../config/stores.js';

/**
 * BigCommerce's Customer Login link, `<storefront URL>/login/token/<storefrontLoginToken>`, which
 * signs the shopper into the store's storefront. Null when the store's storefront URL is not
 * configured or no token was issued. A bearer link: never logged.
 */
export function storefrontLoginUrl(store: Pick<StoreConfig, 'storefrontUrl'>, storefrontLoginToken: string | null): string | null {
  if (store.storefrontUrl === undefined || storefrontLoginToken === null || storefrontLoginToken === '') return null;
  return `${store.storefrontUrl}/login/token/${encodeURIComponent(storefrontLoginToken)}`;
}
