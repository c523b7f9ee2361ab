import type { GraphiQLOptions, YogaServerOptions } from 'graphql-yoga';

/** Credentials that the default tabs fill in, so the first click works. */
export interface DemoAccount {
  email: string;
  password: string;
}

/** What {@link graphiqlOptions} needs to know about the running gateway. */
export interface GraphiQLSetup {
  /** `NODE_ENV === 'production'`: GraphiQL is off. */
  production: boolean;
  /** The gateway talks to the embedded sandbox rather than a real store. */
  sandbox: boolean;
  /**
   * The sandbox's demo buyer, written into the default tabs. Never pass real credentials: the
   * page shows them to anyone who opens it.
   * @default placeholders the user replaces
   */
  demo?: DemoAccount | undefined;
  /**
   * Only trusted callers may send arbitrary documents (a persisted-documents manifest is
   * configured): every tab's header editor starts with the `X-Gateway-Key` placeholder, since
   * GraphiQL's documents, its schema query included, are not in the manifest.
   * @default false
   */
  trustedOnly?: boolean;
}

/** The GraphiQL part of Yoga's options. */
export type GraphiQLServerOptions = Required<Pick<YogaServerOptions<object, object>, 'graphiql' | 'renderGraphiQL'>>;

/** The header editor's example: a placeholder, never a configured key. */
export const TRUSTED_KEY_PLACEHOLDER = '<one of GATEWAY_TRUSTED_KEYS>';

/** The header editor's `Authorization` in the tabs that need the buyer's token: where to paste it. */
export const BEARER_PLACEHOLDER = 'Bearer <paste the token from Login>';

const LOGIN = /* GraphQL */ `# Logs the buyer in through the B2B GraphQL Storefront API (anonymous).
# Press the run button (or Ctrl-Enter). Descriptions of every field: the Docs icon, top left.
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token { value expiresAt via }
    storefrontLoginToken
    storefrontLoginUrl
    user { id email role }
    permissions { code permissionLevel }
  }
}
`;

const TOKEN_INFO = /* GraphQL */ `# Reads a token's claims WITHOUT verifying its signature.
# Paste token.value from the Login tab into the variables below.
query TokenInfo($token: String!) {
  tokenInfo(token: $token) { storeHash email customerId channelIds expiresAt expired signatureVerified }
}
`;

const ISSUE_BY_CREDENTIALS = /* GraphQL */ `# Issues a token over REST (POST /api/io/auth/customers) with the gateway's X-Auth-Token,
# which never leaves the gateway. endAt (optional) bounds the token's validity.
mutation IssueByCredentials($input: IssueStorefrontTokenInput!) {
  issueStorefrontToken(input: $input) {
    token { value notBefore expiresAt via }
  }
}
`;

const ISSUE_FOR_CUSTOMER = /* GraphQL */ `# Mints a token for any customer id, with no proof that the caller is that customer: trusted
# server callers only. Open "Headers" below and put one of the gateway's GATEWAY_TRUSTED_KEYS in
# X-Gateway-Key; with the placeholder (or no header) the answer is FORBIDDEN.
mutation IssueForCustomer($input: IssueStorefrontTokenInput!) {
  issueStorefrontToken(input: $input) {
    token { value expiresAt via }
  }
}
`;

const SESSION = /* GraphQL */ `# Who the token belongs to, what they may do, when it expires and,
# for a Super Admin, the company they act for. Open "Headers" below
# and paste token.value from the Login tab after "Bearer ".
query Session {
  session {
    user { id email firstName lastName role }
    kind
    permissions { code permissionLevel }
    expiresAt
    masquerade { id name }
  }
}
`;

const MASQUERADE_COMPANIES = /* GraphQL */ `# The companies a Super Admin may act for, by name, 20 a page. Needs
# a Super Admin's token: run Login with a Super Admin's email and
# password, then paste token.value into "Headers".
query MasqueradeCompanies($search: String, $offset: Int) {
  masqueradeCompanies(search: $search, offset: $offset) {
    totalCount
    companies { id name }
  }
}
`;

const BEGIN_MASQUERADE = /* GraphQL */ `# Lets a Super Admin act for a company (an id from the
# MasqueradeCompanies tab), with their token in "Headers". Session then
# shows the company; mutation { endMasquerade { kind } } ends it.
mutation BeginMasquerade($companyId: ID!) {
  beginMasquerade(companyId: $companyId) {
    kind
    masquerade { id name }
  }
}
`;

const ISSUE_STOREFRONT_API_TOKEN = /* GraphQL */ `# Creates a token for BigCommerce's GraphQL Storefront API (anonymous).
# allowedCorsOrigins: concrete origins of GATEWAY_CORS_ORIGINS.
# expiresAt: ahead, at most GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS
# days (30 unless set).
mutation IssueStorefrontApiToken($input: IssueStorefrontApiTokenInput!) {
  issueStorefrontApiToken(input: $input) { value expiresAt allowedCorsOrigins channelId }
}
`;

const CHECKOUT_LOGIN = /* GraphQL */ `# Hands a cart over to checkout: redirectUrl signs the buyer in to the
# storefront and opens the cart there. cartId: the cart's entityId from
# the GraphQL Storefront API. Paste the buyer's token into "Headers".
mutation CheckoutLogin($cartId: String!) {
  checkoutLogin(cartId: $cartId) { redirectUrl }
}
`;

const json = (value: unknown) => JSON.stringify(value, null, 2);

// The Storefront API token tab's expiry: a week ahead of when the gateway started, within the
// default limit, whole seconds as the token keeps it.
const aWeekAhead = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 7 * 24 * 60 * 60 * 1000).toISOString();

/**
 * GraphiQL for the gateway: off in production; otherwise served entirely by the gateway (the
 * page, its scripts, styles, fonts and editor workers are inlined by
 * `@graphql-yoga/render-graphiql`, so the page requests nothing but `/graphql`), opening on
 * ready-to-run tabs. In sandbox mode the tabs carry the demo buyer's credentials.
 */
export function graphiqlOptions(setup: GraphiQLSetup): GraphiQLServerOptions {
  if (setup.production) return { graphiql: false, renderGraphiQL: renderOffline };
  const credentials = setup.demo ?? { email: 'buyer@your-store.example', password: '<password>' };
  // With a manifest, GraphiQL's documents need the trusted key; the buyer's token goes beside it.
  const trusted: Record<string, string> = setup.trustedOnly === true ? { 'X-Gateway-Key': TRUSTED_KEY_PLACEHOLDER } : {};
  const withToken = { ...trusted, Authorization: BEARER_PLACEHOLDER };
  const tabs: Array<{ query: string; variables: unknown; headers?: Record<string, string> }> = [
    { query: LOGIN, variables: { input: credentials } },
    { query: SESSION, variables: {}, headers: withToken },
    { query: MASQUERADE_COMPANIES, variables: { search: '', offset: 0 }, headers: withToken },
    // 504 is a company the sandbox's Super Admin may act for.
    { query: BEGIN_MASQUERADE, variables: { companyId: setup.sandbox ? '504' : '<id from MasqueradeCompanies>' }, headers: withToken },
    { query: TOKEN_INFO, variables: { token: '<paste token.value here>' } },
    { query: ISSUE_BY_CREDENTIALS, variables: { input: { credentials: { ...credentials, endAt: '2030-01-01T00:00:00Z' } } } },
    {
      query: ISSUE_FOR_CUSTOMER,
      // 201 is the sandbox demo buyer's BigCommerce customer id (docs/getting-started.md#seeded-users).
      variables: { input: { customer: { customerId: 201 } } },
      headers: { 'X-Gateway-Key': TRUSTED_KEY_PLACEHOLDER },
    },
    { query: ISSUE_STOREFRONT_API_TOKEN, variables: { input: { expiresAt: aWeekAhead(), allowedCorsOrigins: ['http://localhost:3000'] } } },
    // The sandbox takes any cart id shaped like BigCommerce's (a UUID).
    { query: CHECKOUT_LOGIN, variables: { cartId: setup.sandbox ? '8d1b6d1e-3c1f-4f7a-9a8e-2b1f0c6d5e4a' : '<cart entityId>' }, headers: withToken },
  ];
  const headersOf = (tab: (typeof tabs)[number]) => tab.headers ?? (setup.trustedOnly === true ? trusted : undefined);
  // `variables` is read by Yoga's GraphiQL renderer but missing from its options type.
  const options: GraphiQLOptions & { variables: string } = {
    title: setup.sandbox ? 'b2b-auth-gateway (sandbox)' : 'b2b-auth-gateway',
    defaultTabs: tabs.map((tab) => {
      const headers = headersOf(tab);
      return { query: tab.query, variables: json(tab.variables), ...(headers && { headers: json(headers) }) };
    }),
    // GraphiQL's first tab takes its variables from `variables`, not from `defaultTabs[0]`.
    variables: json({ input: credentials }),
    // A trusted key or a token typed into the header editor would otherwise sit in the
    // browser's localStorage for good.
    shouldPersistHeaders: false,
  };
  if (setup.trustedOnly === true) {
    // `headers` fills the first tab's editor, `defaultHeaders` every tab the user opens.
    options.headers = json(trusted);
    options.defaultHeaders = json(trusted);
  }
  return { graphiql: options, renderGraphiQL: renderOffline };
}

// The renderer inlines ~9 MB of assets and Yoga calls it on every page load; the options are
// fixed per gateway, so render once per distinct options. The module is imported on first use
// only, so a production process (GraphiQL off) never loads it.
const rendered = new Map<string, Promise<string>>();

function renderOffline(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  let page = rendered.get(key);
  if (page === undefined) {
    page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
    page.catch(() => rendered.delete(key));
    rendered.set(key, page);
  }
  return page;
}
