// The Super Admin's operations: the companies they may act for, and the masquerade as one of
// them, kept per Super Admin in the store. Only the answers' shapes are documented upstream;
// who may call what, and the errors, are the sandbox's picks (graphql-auth.ts).
import { GraphQLError } from 'graphql';
import type { SandboxContext } from './context.js';
import { authenticateSuperAdmin, companyNotApproved, notFound, permissionDenied, type GraphqlRequestContext } from './graphql-auth.js';
import type { Company, StorefrontCustomer } from './store.js';

export interface CompaniesArgs {
  superAdminId: number;
  offset?: number | null;
  first?: number | null;
  search?: string | null;
}

/** Graphene's opaque ids and cursors: base64 of `<type>:<id>` and `arrayconnection:<index>`. */
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function nonNegative(name: string, value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value < 0) throw new GraphQLError(`Argument "${name}" must be a non-negative integer.`);
  return value;
}

const toCompanyType = (company: Company) => ({
  id: String(company.id),
  companyName: company.name,
  bcGroupName: company.name,
  companyStatus: company.status,
  customerGroupId: company.customerGroupId,
});

/** A company the Super Admin may act for, or a not-found error (unknown and not assigned alike). */
function assignedCompany(context: SandboxContext, admin: StorefrontCustomer, companyId: number): Company {
  const company = context.store.companyById(companyId);
  if (company === undefined || !context.store.mayActFor(admin, companyId)) throw notFound('Company');
  return company;
}

export function createSuperAdminResolvers(context: SandboxContext) {
  return {
    async superAdminCompanies(args: CompaniesArgs, request: GraphqlRequestContext) {
      const admin = await authenticateSuperAdmin(context, request);
      if (args.superAdminId !== admin.b2bUserId) throw permissionDenied();
      const offset = nonNegative('offset', args.offset) ?? 0;
      const first = nonNegative('first', args.first);
      const matching = context.store.companiesOf(admin, args.search ?? '');
      const page = matching.slice(offset, first === undefined ? undefined : offset + first);
      const edges = page.map((company, index) => ({
        cursor: base64(`arrayconnection:${offset + index}`),
        node: {
          id: base64(`SuperAdminCompanyType:${company.id}`),
          companyId: company.id,
          companyName: company.name,
          bcGroupName: company.name,
          companyAdminName: company.adminName,
          companyEmail: company.email,
        },
      }));
      return {
        totalCount: matching.length,
        edges,
        pageInfo: {
          hasNextPage: offset + page.length < matching.length,
          hasPreviousPage: offset > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },

    async superAdminMasquerading({ customerId }: { customerId: number }, request: GraphqlRequestContext) {
      const admin = await authenticateSuperAdmin(context, request);
      if (customerId !== admin.bcId) throw permissionDenied();
      const company = context.store.masqueradeOf(admin);
      return company === undefined ? null : toCompanyType(company);
    },

    // Begins, or switches to another company: one masquerade at a time per Super Admin.
    async superAdminBeginMasquerade({ companyId }: { companyId: number }, request: GraphqlRequestContext) {
      const admin = await authenticateSuperAdmin(context, request);
      const company = assignedCompany(context, admin, companyId);
      if (company.status !== 1) throw companyNotApproved(company);
      context.store.beginMasquerade(admin, companyId);
      return { userInfo: { email: admin.email, firstName: admin.firstName, lastName: admin.lastName, phoneNumber: admin.phone } };
    },

    // Ending a masquerade the Super Admin is not in changes nothing and still succeeds.
    async superAdminEndMasquerade({ companyId }: { companyId: number }, request: GraphqlRequestContext) {
      const admin = await authenticateSuperAdmin(context, request);
      assignedCompany(context, admin, companyId);
      context.store.endMasquerade(admin, companyId);
      return { message: 'Masquerade ended.' };
    },
  };
}
