import { bearerToken } from '../../access/bearer-token.js';
import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { cartId as cartIdSchema } from '../../inputs/session.js';
import { validateInput } from '../../inputs/validate.js';

/** `checkoutLogin`: B2B GraphQL `checkoutLogin(cartData: { cartId })` with the caller's own token. */
export const checkoutLogin: NonNullable<MutationResolvers['checkoutLogin']> = (_parent, args, context) => {
  const token = bearerToken(context.request.headers.get('authorization'));
  const cartId = validateInput(cartIdSchema, args.cartId, 'cartId');
  return context.upstream.graphql.checkoutLogin(token, cartId);
};
