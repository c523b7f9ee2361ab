// The seeded store: companies, storefront customers (Company users, Super Admins and a B2C
// customer), backend users, the server-to-server token registry and each Super Admin's
// masquerade. Plain data plus lookups; no HTTP here.
import { storeHashSchema } from '../config/store-hash.js';

/** B2B company status codes: 0 pending, 1 approved, 2 rejected, 3 inactive. */
export type CompanyStatus = 0 | 1 | 2 | 3;

export interface Company {
  id: number;
  name: string;
  status: CompanyStatus;
  email: string;
  /** The name of the company's admin user. */
  adminName: string;
  /** The BigCommerce customer group of the company's users. */
  customerGroupId: number;
}

export interface Permission {
  code: string;
  permissionLevel: number;
}

/** The B2B side of a storefront customer who belongs to a company. */
export interface CompanyMembership {
  /** B2B Edition user id. */
  userId: number;
  uuid: string;
  companyId: number;
  companyRoleId: number;
  companyRoleName: string;
  permissions: Permission[];
  createdAt: number;
  updatedAt: number;
}

/** What a Super Admin (role 3) may do: act for these companies, with these permissions. */
export interface SuperAdminGrant {
  companyIds: readonly number[];
  permissions: readonly Permission[];
}

export interface StorefrontCustomer {
  /** BigCommerce customer id. */
  bcId: number;
  /** B2B Edition user id (B2C customers have one too). */
  b2bUserId: number;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  /** Role code: 0 admin, 1 senior buyer, 2 junior buyer, 3 super admin, 99 B2C customer. */
  role: number;
  /** BigCommerce customer group id, as the Current Customer JWT carries it (a string). */
  groupId: string;
  company: CompanyMembership | null;
  /** Set for Super Admins only. */
  superAdmin: SuperAdminGrant | null;
}

export interface BackendUser {
  email: string;
  password: string;
  /** Only the built-in roles may mint server-to-server tokens. */
  role: 'Store Owner' | 'Administrator' | 'custom';
}

export interface ServerToServerToken {
  id: number;
  name: string;
  email: string;
  storeHash: string;
  token: string;
  eventChannel: 'app' | 'admin' | 'api';
}

/** Seeded credentials and ids (docs/getting-started.md#seeded-users), for the gateway's tests and manual runs. */
export const SANDBOX_USERS = {
  /** Senior buyer (role 1) of an approved company. */
  buyer: { email: 'buyer@example.com', password: 'Passw0rd!', userId: 1001, bcId: 201, companyId: 501 },
  /** Junior buyer (role 2) of the same company. */
  junior: { email: 'junior@example.com', password: 'Passw0rd!', userId: 1002, bcId: 203, companyId: 501 },
  /** Admin (role 0) of a company pending approval: every login fails. */
  pending: { email: 'pending@example.com', password: 'Passw0rd!', userId: 1003, bcId: 204, companyId: 502 },
  /** Admin (role 0) of an inactive company: every login fails. */
  inactive: { email: 'inactive@example.com', password: 'Passw0rd!', userId: 1004, bcId: 205, companyId: 503 },
  /** B2C customer (role 99), no company. */
  shopper: { email: 'shopper@example.com', password: 'Passw0rd!', userId: 2001, bcId: 202 },
  /**
   * Super Admin (role 3, customerInfo userType 6) who may act for four companies: 501, 503
   * (inactive: masquerade refused), 504 and 505. Not for 502 or 506.
   */
  superAdmin: { email: 'superadmin@example.com', password: 'Passw0rd!', userId: 3001, bcId: 301, companyIds: [501, 503, 504, 505] },
  /** A second Super Admin, for companies 504 and 506: its masquerade is its own. */
  salesRep: { email: 'salesrep@example.com', password: 'Passw0rd!', userId: 3002, bcId: 302, companyIds: [504, 506] },
  /** Backend user with the Store Owner role (`POST /api/io/auth/backend` succeeds). */
  owner: { email: 'owner@example.com', password: '0wner-Passw0rd!' },
  /** Backend user with the built-in Administrator role (`POST /api/io/auth/backend` succeeds). */
  admin: { email: 'admin@example.com', password: 'Admin-Passw0rd!' },
  /** Backend user with a custom role (`POST /api/io/auth/backend` answers "role forbidden"). */
  staff: { email: 'staff@example.com', password: 'Staff-Passw0rd!' },
} as const;

/** Most buyers `SandboxOptions.buyers` may seed. */
export const MAX_SEEDED_BUYERS = 100_000;

/**
 * The ids of seeded buyer `n` (1-based, see `SandboxOptions.buyers`): far above the ids of
 * {@link SANDBOX_USERS}, so they never collide.
 */
export const SEEDED_BUYER_IDS = {
  bcId: (n: number) => 100_000 + n,
  userId: (n: number) => 1_000_000 + n,
} as const;

/** The email and password of seeded buyer `n` (1-based). */
export const seededBuyer = (n: number) => ({ email: `buyer-${n}@example.com`, password: SANDBOX_USERS.buyer.password }) as const;

/** The credentials to try first. */
export const DEMO_BUYER = { email: SANDBOX_USERS.buyer.email, password: SANDBOX_USERS.buyer.password } as const;

const SEEDED_AT = 1_735_689_600; // 2025-01-01T00:00:00Z

const COMPANIES: readonly Company[] = [
  { id: 501, name: 'Acme Industrial Supply', status: 1, email: 'orders@acme.example.com', adminName: 'Marie Curie', customerGroupId: 11 },
  { id: 502, name: 'Pending Parts Co.', status: 0, email: 'hello@pending-parts.example.com', adminName: 'Paula Pending', customerGroupId: 12 },
  { id: 503, name: 'Dormant Goods Ltd.', status: 3, email: 'info@dormant.example.com', adminName: 'Ivan Idle', customerGroupId: 13 },
  { id: 504, name: 'Globex Wholesale', status: 1, email: 'purchasing@globex.example.com', adminName: 'Hank Scorpio', customerGroupId: 14 },
  { id: 505, name: 'Initech Office Supply', status: 1, email: 'supplies@initech.example.com', adminName: 'Bill Lumbergh', customerGroupId: 15 },
  { id: 506, name: 'Umbrella Medical', status: 1, email: 'procurement@umbrella.example.com', adminName: 'Alice Abernathy', customerGroupId: 16 },
];

const SENIOR_PERMISSIONS: readonly Permission[] = [
  { code: 'get_orders', permissionLevel: 2 },
  { code: 'get_quotes', permissionLevel: 2 },
  { code: 'create_shopping_list', permissionLevel: 2 },
  { code: 'purchase_enable', permissionLevel: 1 },
];

const JUNIOR_PERMISSIONS: readonly Permission[] = [
  { code: 'get_orders', permissionLevel: 1 },
  { code: 'create_shopping_list', permissionLevel: 1 },
];

const SUPER_ADMIN_PERMISSIONS: readonly Permission[] = [
  { code: 'get_orders', permissionLevel: 2 },
  { code: 'get_quotes', permissionLevel: 2 },
  { code: 'purchase_enable', permissionLevel: 1 },
];

function membership(
  user: { userId: number; companyId: number },
  role: { id: number; name: string; permissions: readonly Permission[] },
  index: number,
): CompanyMembership {
  return {
    userId: user.userId,
    uuid: `5a1e0000-0000-4000-8000-${String(user.userId).padStart(12, '0')}`,
    companyId: user.companyId,
    companyRoleId: role.id,
    companyRoleName: role.name,
    permissions: role.permissions.map((p) => ({ ...p })),
    createdAt: SEEDED_AT + index * 3600,
    updatedAt: SEEDED_AT + index * 3600 + 60,
  };
}

const ADMIN_ROLE = { id: 1, name: 'Admin', permissions: SENIOR_PERMISSIONS };
const SENIOR_ROLE = { id: 2, name: 'Senior Buyer', permissions: SENIOR_PERMISSIONS };
const JUNIOR_ROLE = { id: 3, name: 'Junior Buyer', permissions: JUNIOR_PERMISSIONS };

const companyUser = (
  user: { email: string; password: string; userId: number; bcId: number; companyId: number },
  names: { firstName: string; lastName: string; phone: string | null },
  role: number,
  companyRole: typeof ADMIN_ROLE,
  index: number,
): StorefrontCustomer => ({
  bcId: user.bcId,
  b2bUserId: user.userId,
  email: user.email,
  password: user.password,
  ...names,
  role,
  groupId: '1',
  company: membership(user, companyRole, index),
  superAdmin: null,
});

const superAdmin = (
  user: { email: string; password: string; userId: number; bcId: number; companyIds: readonly number[] },
  names: { firstName: string; lastName: string; phone: string | null },
): StorefrontCustomer => ({
  bcId: user.bcId,
  b2bUserId: user.userId,
  email: user.email,
  password: user.password,
  ...names,
  role: 3,
  groupId: '0',
  company: null,
  superAdmin: { companyIds: [...user.companyIds], permissions: SUPER_ADMIN_PERMISSIONS.map((p) => ({ ...p })) },
});

function seedCustomers(buyers: number): StorefrontCustomer[] {
  const u = SANDBOX_USERS;
  const extra = Array.from({ length: buyers }, (_, i) => {
    const n = i + 1;
    const user = { ...seededBuyer(n), bcId: SEEDED_BUYER_IDS.bcId(n), userId: SEEDED_BUYER_IDS.userId(n), companyId: 501 };
    return companyUser(user, { firstName: 'Buyer', lastName: String(n), phone: null }, 1, SENIOR_ROLE, 4 + n);
  });
  return [
    companyUser(u.buyer, { firstName: 'Marie', lastName: 'Curie', phone: '+1 555 0100' }, 1, SENIOR_ROLE, 0),
    companyUser(u.junior, { firstName: 'Pierre', lastName: 'Curie', phone: null }, 2, JUNIOR_ROLE, 1),
    companyUser(u.pending, { firstName: 'Paula', lastName: 'Pending', phone: '+1 555 0102' }, 0, ADMIN_ROLE, 2),
    companyUser(u.inactive, { firstName: 'Ivan', lastName: 'Idle', phone: null }, 0, ADMIN_ROLE, 3),
    {
      bcId: u.shopper.bcId,
      b2bUserId: u.shopper.userId,
      email: u.shopper.email,
      password: u.shopper.password,
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: null,
      role: 99,
      groupId: '0',
      company: null,
      superAdmin: null,
    },
    superAdmin(u.superAdmin, { firstName: 'Grace', lastName: 'Hopper', phone: '+1 555 0103' }),
    superAdmin(u.salesRep, { firstName: 'Sally', lastName: 'Rep', phone: null }),
    ...extra,
  ];
}

const foldEmail = (email: string): string => email.trim().toLowerCase();
const sameEmail = (a: string, b: string): boolean => foldEmail(a) === foldEmail(b);

export class SandboxStore {
  readonly storeHash: string;
  readonly companies: readonly Company[] = COMPANIES;
  readonly customers: readonly StorefrontCustomer[];
  // By folded email: a sandbox seeded with thousands of buyers still finds one in O(1).
  readonly #byEmail: ReadonlyMap<string, StorefrontCustomer>;
  readonly backendUsers: readonly BackendUser[] = [
    { ...SANDBOX_USERS.owner, role: 'Store Owner' },
    { ...SANDBOX_USERS.admin, role: 'Administrator' },
    { ...SANDBOX_USERS.staff, role: 'custom' },
  ];
  readonly backendTokens: ServerToServerToken[] = [];
  #nextTokenId = 1;
  /** Super Admin's B2B user id → the company they are masquerading as. */
  readonly #masquerades = new Map<number, number>();

  /** `buyers`: extra company users to seed (see `SandboxOptions.buyers`). */
  constructor(storeHash: string, options: { buyers?: number } = {}) {
    const buyers = options.buyers ?? 0;
    if (!Number.isInteger(buyers) || buyers < 0 || buyers > MAX_SEEDED_BUYERS) {
      throw new RangeError(`SandboxOptions.buyers must be an integer from 0 to ${MAX_SEEDED_BUYERS}`);
    }
    // The gateway's rule, so a sandbox never plays a store the gateway could not be configured for.
    const problem = storeHashSchema.safeParse(storeHash).error?.issues[0]?.message;
    if (problem !== undefined) throw new RangeError(`SandboxOptions.storeHash ${problem}`);
    this.storeHash = storeHash;
    this.customers = seedCustomers(buyers);
    this.#byEmail = new Map(this.customers.map((c) => [foldEmail(c.email), c]));
  }

  customerByEmail(email: string): StorefrontCustomer | undefined {
    return this.#byEmail.get(foldEmail(email));
  }

  customerByBcId(bcId: number): StorefrontCustomer | undefined {
    return this.customers.find((c) => c.bcId === bcId);
  }

  /** The customer when the email and password match, else `undefined`. */
  authenticateCustomer(email: string, password: string): StorefrontCustomer | undefined {
    const customer = this.customerByEmail(email);
    return customer && customer.password === password ? customer : undefined;
  }

  companyOf(customer: StorefrontCustomer): Company | undefined {
    const membership = customer.company;
    return membership ? this.companies.find((c) => c.id === membership.companyId) : undefined;
  }

  /** False for a Company user whose company is not approved: such users cannot log in. */
  canLogIn(customer: StorefrontCustomer): boolean {
    return customer.company === null || this.companyOf(customer)?.status === 1;
  }

  companyById(id: number): Company | undefined {
    return this.companies.find((c) => c.id === id);
  }

  /**
   * `customerInfo.userType`, in the codes of the buyer portal's `UserTypes`: 6 a Super Admin
   * (B2B_SUPER_ADMIN), 5 a user of a company (CURRENT_B2B_COMPANY), 2 a B2C customer (B2C).
   */
  userTypeOf(customer: StorefrontCustomer): 2 | 5 | 6 {
    if (customer.superAdmin !== null) return 6;
    return customer.company === null ? 2 : 5;
  }

  /** The permissions `customerInfo` and `login` answer for a customer. */
  permissionsOf(customer: StorefrontCustomer): Permission[] {
    return (customer.superAdmin?.permissions ?? customer.company?.permissions ?? []).map((p) => ({ ...p }));
  }

  /**
   * The companies a Super Admin may act for, by name; `search` keeps those whose name or email
   * contains it, ignoring case.
   */
  companiesOf(admin: StorefrontCustomer, search = ''): Company[] {
    const needle = search.trim().toLowerCase();
    return (admin.superAdmin?.companyIds ?? [])
      .flatMap((id) => this.companyById(id) ?? [])
      .filter((c) => needle === '' || c.name.toLowerCase().includes(needle) || c.email.toLowerCase().includes(needle))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  mayActFor(admin: StorefrontCustomer, companyId: number): boolean {
    return admin.superAdmin?.companyIds.includes(companyId) ?? false;
  }

  /** The company a Super Admin is masquerading as, if any. */
  masqueradeOf(admin: StorefrontCustomer): Company | undefined {
    const companyId = this.#masquerades.get(admin.b2bUserId);
    return companyId === undefined ? undefined : this.companyById(companyId);
  }

  /** Starts (or switches) a Super Admin's masquerade. */
  beginMasquerade(admin: StorefrontCustomer, companyId: number): void {
    this.#masquerades.set(admin.b2bUserId, companyId);
  }

  /** Ends a Super Admin's masquerade when it is as `companyId`; otherwise changes nothing. */
  endMasquerade(admin: StorefrontCustomer, companyId: number): void {
    if (this.#masquerades.get(admin.b2bUserId) === companyId) this.#masquerades.delete(admin.b2bUserId);
  }

  companyUsers(): StorefrontCustomer[] {
    return this.customers.filter((c) => c.company !== null);
  }

  authenticateBackendUser(email: string, password: string): BackendUser | undefined {
    return this.backendUsers.find((u) => sameEmail(u.email, email) && u.password === password);
  }

  addBackendToken(token: Omit<ServerToServerToken, 'id'>): ServerToServerToken {
    const stored = { id: this.#nextTokenId++, ...token };
    this.backendTokens.push(stored);
    return stored;
  }

  backendTokenByValue(value: string): ServerToServerToken | undefined {
    return this.backendTokens.find((t) => t.token === value);
  }

  deleteBackendToken(id: number, filter: { email?: string | undefined; name?: string | undefined }): boolean {
    const index = this.backendTokens.findIndex(
      (t) =>
        t.id === id &&
        (filter.email === undefined || sameEmail(t.email, filter.email)) &&
        (filter.name === undefined || t.name === filter.name),
    );
    if (index === -1) return false;
    this.backendTokens.splice(index, 1);
    return true;
  }
}
