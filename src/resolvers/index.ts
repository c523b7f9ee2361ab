import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import type { Resolvers } from '../generated/resolvers-types.js';
import { B2BUser } from './B2BUser.js';
import { authorization } from './Mutation/authorization.js';
import { issueStorefrontToken } from './Mutation/issueStorefrontToken.js';
import { login } from './Mutation/login.js';
import { tokenInfo } from './Query/tokenInfo.js';
import { viewer } from './Query/viewer.js';
import { TokenInfo } from './TokenInfo.js';

/** Every resolver of the public schema. */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSONObject: JSONObjectResolver,
  Query: { tokenInfo, viewer },
  Mutation: { login, authorization, issueStorefrontToken },
  B2BUser,
  TokenInfo,
};
