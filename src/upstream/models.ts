import { z } from 'zod';

/**
 * Upstream models the public schema maps onto (codegen `mappers`). Parsed with zod wherever they
 * enter the gateway, so a resolver never sees an unchecked upstream value.
 */
export const upstreamUser = z.object({
  id: z.union([z.string().min(1), z.number().int()]).transform(String),
  bcId: z.number().int(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  role: z.number().int(),
});
export type UpstreamUser = z.infer<typeof upstreamUser>;

/** Permissions arrive as a nullable list of nullable items; the empty and null ones are dropped. */
export const upstreamPermissions = z
  .array(z.object({ code: z.string().nullish(), permissionLevel: z.number().int().nullish() }).nullable())
  .nullish()
  .transform((items) =>
    (items ?? []).flatMap((item) => (item?.code ? [{ code: item.code, permissionLevel: item.permissionLevel ?? null }] : [])),
  );
export type UpstreamPermission = z.infer<typeof upstreamPermissions>[number];

/**
 * `currentUser` and `customerInfo` of one storefront authToken, from one upstream request.
 * `userType` is the buyer portal's `UserTypes` code, as the upstream sent it: which account kind
 * each code means is the resolver's to say.
 */
export interface UpstreamSession {
  user: UpstreamUser;
  userType: number;
  permissions: UpstreamPermission[];
}

/** A company a Super Admin may act for (`superAdminCompanies`) or acts for (`superAdminMasquerading`). */
export interface UpstreamCompany {
  /** The numeric company id that `superAdminBeginMasquerade` takes (never the relay `id`). */
  id: number;
  name: string;
}

/** One page of `superAdminCompanies`. */
export interface UpstreamCompanyPage {
  /** Companies matching the search, on every page. */
  totalCount: number;
  companies: UpstreamCompany[];
}

/** `checkoutLogin`'s answer. */
export interface UpstreamCheckoutLogin {
  /** Signs the user in to checkout with the cart: a one-time bearer link, never logged. */
  redirectUrl: string;
}
