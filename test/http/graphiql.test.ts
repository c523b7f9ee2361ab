import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { BEARER_PLACEHOLDER, graphiqlOptions, TRUSTED_KEY_PLACEHOLDER } from '../../src/http/graphiql.js';
import { createLogger } from '../../src/observability/logger.js';
import { DEMO_BUYER, SANDBOX_USERS } from '../../src/sandbox/index.js';

interface Tab {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  headers: Record<string, string> | undefined;
}

function tabsOf(options: ReturnType<typeof graphiqlOptions>): Tab[] {
  const tabs = typeof options.graphiql === 'object' ? (options.graphiql.defaultTabs ?? []) : [];
  return tabs.map((tab) => ({
    name: /^(?:query|mutation) (\w+)/m.exec(tab.query ?? '')?.[1] ?? '',
    query: tab.query ?? '',
    variables: JSON.parse(tab.variables ?? '{}') as Record<string, unknown>,
    headers: typeof tab.headers === 'string' ? (JSON.parse(tab.headers) as Record<string, string>) : undefined,
  }));
}

const JWT = expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/);

describe('GraphiQL tabs', () => {
  it("show where the buyer's token goes in each tab that needs it", () => {
    const tabs = tabsOf(graphiqlOptions({ production: false, sandbox: true, demo: DEMO_BUYER }));

    expect(tabs.map(({ name, headers }) => [name, headers])).toEqual([
      ['Login', undefined],
      ['Session', { Authorization: 'Bearer <paste the token from Login>' }],
      ['MasqueradeCompanies', { Authorization: 'Bearer <paste the token from Login>' }],
      ['BeginMasquerade', { Authorization: 'Bearer <paste the token from Login>' }],
      ['TokenInfo', undefined],
      ['IssueByCredentials', undefined],
      ['IssueForCustomer', { 'X-Gateway-Key': '<one of GATEWAY_TRUSTED_KEYS>' }],
      ['IssueStorefrontApiToken', undefined],
      ['CheckoutLogin', { Authorization: 'Bearer <paste the token from Login>' }],
    ]);
  });

  it('carry the X-Gateway-Key placeholder in every tab when only trusted callers may send documents, beside the token where one is needed', () => {
    const tabs = tabsOf(graphiqlOptions({ production: false, sandbox: false, trustedOnly: true }));
    const trusted = { 'X-Gateway-Key': TRUSTED_KEY_PLACEHOLDER };

    expect(tabs.map(({ name, headers }) => [name, headers])).toEqual([
      ['Login', trusted],
      ['Session', { ...trusted, Authorization: BEARER_PLACEHOLDER }],
      ['MasqueradeCompanies', { ...trusted, Authorization: BEARER_PLACEHOLDER }],
      ['BeginMasquerade', { ...trusted, Authorization: BEARER_PLACEHOLDER }],
      ['TokenInfo', trusted],
      ['IssueByCredentials', trusted],
      ['IssueForCustomer', trusted],
      ['IssueStorefrontApiToken', trusted],
      ['CheckoutLogin', { ...trusted, Authorization: BEARER_PLACEHOLDER }],
    ]);
  });
});

// As `npm start` serves them: the sandbox, its default CORS origins and its storefront URL.
describe('GraphiQL tabs in sandbox mode, run as written with the Super Admin signed in', () => {
  let gateway: Gateway;
  let tabs: Tab[];
  beforeAll(async () => {
    gateway = await createGateway(loadConfig({}), { logger: createLogger({ write: () => undefined }) });
    // The Login tab with the Super Admin's email and password typed in.
    const { email, password } = SANDBOX_USERS.superAdmin;
    tabs = tabsOf(graphiqlOptions({ production: false, sandbox: true, demo: { email, password } }));
  });
  afterAll(() => gateway?.close());

  /** Runs a tab's document and variables, with `token` where its header editor says to paste it. */
  async function run(name: string, token = '') {
    const tab = tabs.find((candidate) => candidate.name === name);
    if (tab === undefined) throw new Error(`no ${name} tab`);
    const headers = Object.fromEntries(Object.entries(tab.headers ?? {}).map(([header, value]) => [header, value.replace('<paste the token from Login>', token)]));
    const response = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: tab.query, variables: tab.variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  }

  it('Login, Session, MasqueradeCompanies, BeginMasquerade, IssueStorefrontApiToken and CheckoutLogin answer without an error', async () => {
    const storefront = gateway.sandbox?.storefrontUrl ?? '';
    const login = await run('Login');
    const token = (login.data?.['login'] as { token: { value: string } }).token.value;
    const issue = tabs.find((tab) => tab.name === 'IssueStorefrontApiToken')?.variables['input'] as { expiresAt: string };

    expect(login).toEqual({
      data: {
        login: {
          token: { value: JWT, expiresAt: expect.any(String), via: 'GRAPHQL_LOGIN' },
          storefrontLoginToken: JWT,
          storefrontLoginUrl: expect.stringMatching(new RegExp(`^${storefront}/login/token/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`)),
          user: { id: String(SANDBOX_USERS.superAdmin.userId), email: SANDBOX_USERS.superAdmin.email, role: expect.any(String) },
          permissions: expect.any(Array),
        },
      },
    });
    expect(await run('Session', token)).toEqual({
      data: {
        session: {
          user: { id: String(SANDBOX_USERS.superAdmin.userId), email: SANDBOX_USERS.superAdmin.email, firstName: expect.any(String), lastName: expect.any(String), role: expect.any(String) },
          kind: 'SUPER_ADMIN',
          permissions: expect.any(Array),
          expiresAt: expect.any(String),
          masquerade: null,
        },
      },
    });
    expect(await run('MasqueradeCompanies', token)).toEqual({
      data: { masqueradeCompanies: { totalCount: 4, companies: expect.arrayContaining([{ id: '504', name: 'Globex Wholesale' }]) } },
    });
    expect(await run('BeginMasquerade', token)).toEqual({ data: { beginMasquerade: { kind: 'SUPER_ADMIN', masquerade: { id: '504', name: 'Globex Wholesale' } } } });
    expect(await run('IssueStorefrontApiToken')).toEqual({
      data: { issueStorefrontApiToken: { value: expect.any(String), expiresAt: issue.expiresAt, allowedCorsOrigins: ['http://localhost:3000'], channelId: 1 } },
    });
    expect(await run('CheckoutLogin', token)).toEqual({
      data: { checkoutLogin: { redirectUrl: expect.stringMatching(new RegExp(`^${storefront}/login/token/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`)) } },
    });
  });
});
