// An example frontend client of the gateway: graphql-request with TypedDocumentNodes that GraphQL
// Code Generator made from `operations/*.graphql` against `schema/published/schema.graphql`.
// Variables and results are typed from the operations; nothing here is written by hand twice.
//
//   tsx examples/client/login-and-viewer.ts http://127.0.0.1:4000/graphql [email] [password]
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientError, GraphQLClient } from 'graphql-request';
import { LoginDocument, SessionDocument, type SessionQuery, ViewerDocument, type ViewerQuery } from './generated/graphql.js';

/** What {@link loginAndViewer} answers. */
export interface LoginAndViewer {
  /** The storefront authToken. A secret: it authenticates as the buyer until it expires. */
  token: string;
  /** When the token stops working (ISO-8601). */
  expiresAt: string;
  /** The buyer the token belongs to, as the gateway's `viewer` query answers. */
  viewer: ViewerQuery['viewer'];
  /** The token's session: the kind of account, its permissions, expiry and masquerade. */
  session: SessionQuery['session'];
}

/**
 * Logs a buyer in with `login`, then asks `viewer` who the token belongs to and `session` what
 * they may do, sending the token as `Authorization: Bearer <token>`. A refusal throws
 * graphql-request's `ClientError`; branch on its `extensions.code` (see {@link errorCode}), never
 * on the message.
 */
export async function loginAndViewer(gatewayUrl: string, email: string, password: string): Promise<LoginAndViewer> {
  const client = new GraphQLClient(gatewayUrl);
  const { login } = await client.request(LoginDocument, { input: { email, password } });
  const requestHeaders = { authorization: `Bearer ${login.token.value}` };
  const { viewer } = await client.request({ document: ViewerDocument, requestHeaders });
  const { session } = await client.request({ document: SessionDocument, requestHeaders });
  return { token: login.token.value, expiresAt: login.token.expiresAt, viewer, session };
}

/** The gateway's `extensions.code` of a failed request (e.g. `UNAUTHENTICATED`), if it gave one. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof ClientError)) return undefined;
  const code = error.response.errors?.[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}

async function main(argv: string[]): Promise<number> {
  // The sandbox's demo buyer, as `npm start` seeds it.
  const [gatewayUrl = 'http://127.0.0.1:4000/graphql', email = 'buyer@example.com', password = 'Passw0rd!'] = argv;
  try {
    const { expiresAt, viewer, session } = await loginAndViewer(gatewayUrl, email, password);
    // The token itself is left out: it is a credential.
    console.log(JSON.stringify({ viewer, session, tokenExpiresAt: expiresAt }, null, 2));
    return 0;
  } catch (error) {
    const code = errorCode(error);
    console.error(code === undefined ? error : `${code}: ${(error as ClientError).response.errors?.[0]?.message ?? ''}`);
    return 1;
  }
}

const entry = process.argv[1];
if (entry !== undefined && resolve(entry) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
