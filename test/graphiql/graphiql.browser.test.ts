import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { decodeJwt } from 'jose';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const hasChromium = existsSync(CHROMIUM);

// Without a browser the test skips locally, saying why; under CI it must run.
if (!hasChromium) {
  if (process.env['CI'] === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium before the tests`);
  console.warn(`GraphiQL browser test skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
}

describe.skipIf(!hasChromium)('GraphiQL in a real browser', () => {
  let gateway: Gateway;
  let server: Server;
  let url: string;
  let browser: Browser;
  // Chromium's own traffic (update checks, Google account and autofill services, even with the
  // flags below) goes to this dead end on 127.0.0.1 instead of the internet; loopback bypasses it.
  let deadEnd: Server;
  const browserOwnTraffic: string[] = [];

  beforeAll(async () => {
    // Sandbox mode: GraphiQL opens on the demo tabs.
    gateway = await createGateway(loadConfig({}), { logger: createLogger({ write: () => undefined }) });
    server = createServer(gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    deadEnd = createServer((request, response) => {
      browserOwnTraffic.push(`${request.method} ${request.headers.host}`);
      response.writeHead(502).end();
    });
    deadEnd.on('connect', (request: IncomingMessage, socket: Duplex) => {
      browserOwnTraffic.push(`CONNECT ${request.url}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => deadEnd.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--no-first-run', '--disable-quic', '--disable-sync', `--proxy-server=http://127.0.0.1:${(deadEnd.address() as AddressInfo).port}`,
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await gateway?.close();
    deadEnd?.close();
    if (browserOwnTraffic.length > 0) console.info(`Chromium's own requests, kept on 127.0.0.1: ${[...new Set(browserOwnTraffic)].join(', ')}`);
  });

  it('loads without leaving 127.0.0.1, runs the demo login, shows a token and runs the Session tab with it', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const requested: string[] = [];
    const seen: string[] = [];
    context.on('request', (request) => seen.push(`${request.method()} ${request.url()}`));
    // Every request the page makes is recorded; anything not on 127.0.0.1 is also blocked.
    await context.route('**/*', async (route) => {
      const target = route.request().url();
      requested.push(target);
      const { protocol, hostname } = new URL(target);
      if ((protocol === 'http:' || protocol === 'https:') && hostname !== '127.0.0.1') await route.abort();
      else await route.continue();
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    const started = performance.now();
    const document = await page.goto(url, { waitUntil: 'load' });
    const loadMs = performance.now() - started;
    const pageBytes = (await document?.body())?.byteLength ?? 0;
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ state: 'visible', timeout: 20_000 });
    // The first tab holds the demo login with its variables.
    await expect.poll(async () => (await page.locator('.graphiql-query-editor').textContent()) ?? '', { timeout: 20_000 }).toContain('Login');
    await run.click();

    const result = page.locator('.graphiql-response');
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 20_000 }).toContain('GRAPHQL_LOGIN');
    // The editor wraps long lines: read the pane without its white space.
    const text = ((await result.textContent()) ?? '').replace(/\s+/g, '');
    const token = /eyJ[\w-]+\.[\w-]+\.[\w-]+/.exec(text)?.[0];
    expect(token, 'a token in the result pane').toBeDefined();
    expect(decodeJwt(token as string)).toMatchObject({ email: 'buyer@example.com', store_hash: 'sandbox' });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('graphiql.png', ARTIFACTS).pathname, fullPage: true });

    expect(await page.locator('.graphiql-tab .graphiql-tab-button').allTextContents()).toEqual([
      'Login',
      'Session',
      'MasqueradeCompanies',
      'BeginMasquerade',
      'TokenInfo',
      'IssueByCredentials',
      'IssueForCustomer',
      'IssueStorefrontApiToken',
      'CheckoutLogin',
    ]);

    // Headless Chromium leaves GraphiQL's tab bar in the first frame of its layout animation
    // (tabs shifted by a transform): a first press on a shifted tab settles the layout, and the
    // release lands beside it. So a tab is clicked until it is the selected one.
    const openTab = async (name: string) => {
      const tab = page.locator('.graphiql-tab', { has: page.locator('.graphiql-tab-button', { hasText: new RegExp(`^${name}$`) }) });
      await expect
        .poll(
          async () => {
            await tab.locator('.graphiql-tab-button').click();
            return tab.getAttribute('aria-selected');
          },
          { timeout: 10_000 },
        )
        .toBe('true');
    };

    // The Session tab's header editor shows where the token goes; with the token pasted there,
    // the tab runs.
    await openTab('Session');
    await page.getByRole('button', { name: 'Headers' }).click();
    const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)');
    // Monaco renders spaces as U+00A0; `\s` matches those too.
    const headerText = async () => ((await headers.textContent()) ?? '').replace(/\s+/g, ' ');
    await expect.poll(headerText, { timeout: 10_000 }).toContain('"Authorization": "Bearer <paste the token from Login>"');
    // Pasted, as a user would: typed, the editor would close each brace and quote a second time.
    await page.evaluate((text) => navigator.clipboard.writeText(text), JSON.stringify({ Authorization: `Bearer ${token}` }));
    await headers.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('ControlOrMeta+V');
    await run.click();
    await expect.poll(async () => (await result.textContent()) ?? '', { timeout: 20_000 }).toContain('COMPANY_USER');
    await page.screenshot({ path: new URL('graphiql-session.png', ARTIFACTS).pathname, fullPage: true });

    // The header editor shows how a trusted caller passes its key.
    await openTab('IssueForCustomer');
    await expect.poll(headerText, { timeout: 10_000 }).toContain('"X-Gateway-Key": "<one of GATEWAY_TRUSTED_KEYS>"');

    // The docs show the schema's descriptions.
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer a', { hasText: 'Mutation' }).first().click();
    await expect.poll(async () => ((await page.locator('.graphiql-doc-explorer').textContent()) ?? '').replace(/\s+/g, ' '), { timeout: 10_000 }).toContain(
      'Logs a buyer in with email and password through the B2B GraphQL Storefront API',
    );

    const offHost = requested.filter((target) => {
      const { protocol, hostname } = new URL(target);
      return (protocol === 'http:' || protocol === 'https:') && hostname !== '127.0.0.1';
    });
    expect(offHost).toEqual([]);
    // The page, its schema query, the login and the session: everything else is inlined or a
    // blob: worker.
    expect(seen.filter((request) => !/^GET (blob|data):/.test(request))).toEqual([`GET ${url}`, `POST ${url}`, `POST ${url}`, `POST ${url}`]);
    expect(requested.length).toBeGreaterThan(1);
    console.info(`GraphiQL page: ${pageBytes} bytes uncompressed, loaded in ${Math.round(loadMs)} ms; ${seen.length} requests, ${offHost.length} off 127.0.0.1`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
