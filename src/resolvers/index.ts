import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import type { Resolvers } from '../generated/resolvers-types.js';
import { B2BUser } from './B2BUser.js';
import { authorization } from './Mutation/authorization.js';
import { issueServerToken } from './Mutation/issueServerToken.js';
import { issueStorefrontToken } from './Mutation/issueStorefrontToken.js';
import { login } from './Mutation/login.js';
import { revokeServerToken } from './Mutation/revokeServerToken.js';
import { serverTokens } from './Query/serverTokens.js';
import { tokenInfo } from './Query/tokenInfo.js';
import { viewer } from './Query/viewer.js';
import { ServerToken } from './ServerToken.js';
import { TokenInfo } from './TokenInfo.js';

/** Every resolver of the public schema. */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSONObject: JSONObjectResolver,
  Query: { tokenInfo, viewer, serverTokens },
  Mutation: { login, authorization, issueStorefrontToken, issueServerToken, revokeServerToken },
  B2BUser,
  ServerToken,
  TokenInfo,
};
