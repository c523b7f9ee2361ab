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
