import type { MasqueradeCompanyResolvers } from '../generated/resolvers-types.js';

/** `MasqueradeCompany`: the numeric company id as an `ID`. */
export const MasqueradeCompany: MasqueradeCompanyResolvers = {
  id: (company) => String(company.id),
};
