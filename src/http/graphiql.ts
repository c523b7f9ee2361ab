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

const LOGIN = /* GraphQL */ `# Logs the buyer in through the B2B GraphQL Storefront API (anonymous).
# Press the run button (or Ctrl-Enter). Descriptions of every field: the Docs icon, top left.
mutation Login($input: LoginInput!) {
  login(input: $input) {
    token { value expiresAt via }
    storefrontLoginToken
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

const json = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * GraphiQL for the gateway: off in production; otherwise served entirely by the gateway (the
 * page, its scripts, styles, fonts and editor workers are inlined by
 * `@graphql-yoga/render-graphiql`, so the page requests nothing but `/graphql`), opening on
 * ready-to-run tabs. In sandbox mode the tabs carry the demo buyer's credentials.
 */
export function graphiqlOptions(setup: GraphiQLSetup): GraphiQLServerOptions {
  if (setup.production) return { graphiql: false, renderGraphiQL: renderOffline };
  const credentials = setup.demo ?? { email: 'buyer@your-store.example', password: '<password>' };
  // `variables` is read by Yoga's GraphiQL renderer but missing from its options type.
  const options: GraphiQLOptions & { variables: string } = {
    title: setup.sandbox ? 'b2b-auth-gateway (sandbox)' : 'b2b-auth-gateway',
    defaultTabs: [
      { query: LOGIN, variables: json({ input: credentials }) },
      { query: TOKEN_INFO, variables: json({ token: '<paste token.value here>' }) },
      { query: ISSUE_BY_CREDENTIALS, variables: json({ input: { credentials: { ...credentials, endAt: '2030-01-01T00:00:00Z' } } }) },
      {
        query: ISSUE_FOR_CUSTOMER,
        // 201 is the sandbox demo buyer's BigCommerce customer id (as in the README).
        variables: json({ input: { customer: { customerId: 201 } } }),
        headers: json({ 'X-Gateway-Key': TRUSTED_KEY_PLACEHOLDER }),
      },
    ],
    // GraphiQL's first tab takes its variables from `variables`, not from `defaultTabs[0]`.
    variables: json({ input: credentials }),
    // A trusted key typed into the header editor would otherwise sit in the browser's
    // localStorage for good.
    shouldPersistHeaders: false,
  };
  if (setup.trustedOnly === true) {
    const headers = json({ 'X-Gateway-Key': TRUSTED_KEY_PLACEHOLDER });
    options.defaultTabs = options.defaultTabs?.map((tab) => ({ ...tab, headers }));
    // `headers` fills the first tab's editor, `defaultHeaders` every tab the user opens.
    options.headers = headers;
    options.defaultHeaders = headers;
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
