import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import type { Resolvers } from '../generated/resolvers-types.js';
import { B2BUser } from './B2BUser.js';
import { MasqueradeCompany } from './MasqueradeCompany.js';
import { authorization } from './Mutation/authorization.js';
import { beginMasquerade } from './Mutation/beginMasquerade.js';
import { checkoutLogin } from './Mutation/checkoutLogin.js';
import { endMasquerade } from './Mutation/endMasquerade.js';
import { issueStorefrontApiToken } from './Mutation/issueStorefrontApiToken.js';
import { issueServerToken } from './Mutation/issueServerToken.js';
import { issueStorefrontToken } from './Mutation/issueStorefrontToken.js';
import { login } from './Mutation/login.js';
import { revokeServerToken } from './Mutation/revokeServerToken.js';
import { masqueradeCompanies } from './Query/masqueradeCompanies.js';
import { serverTokens } from './Query/serverTokens.js';
import { session } from './Query/session.js';
import { tokenInfo } from './Query/tokenInfo.js';
import { viewer } from './Query/viewer.js';
import { ServerToken } from './ServerToken.js';
import { Session } from './Session.js';
import { TokenInfo } from './TokenInfo.js';

/** Every resolver of the public schema. */
export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  JSONObject: JSONObjectResolver,
  Query: { tokenInfo, viewer, serverTokens, session, masqueradeCompanies },
  Mutation: {
    login,
    authorization,
    issueStorefrontToken,
    issueServerToken,
    revokeServerToken,
    beginMasquerade,
    endMasquerade,
    issueStorefrontApiToken,
    checkoutLogin,
  },
  B2BUser,
  MasqueradeCompany,
  ServerToken,
  Session,
  TokenInfo,
};
