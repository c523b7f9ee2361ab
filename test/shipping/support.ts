import type { Sandbox } from '../../src/sandbox/index.js';
import { CREDENTIAL_LIMITS_OFF } from '../harness.js';

/**
 * The environment of a gateway in front of `sandbox` on 127.0.0.1, any free port, with the
 * credential limits off (as `test/harness.ts` has them).
 */
export function sandboxEnv(sandbox: Sandbox, extra: Record<string, string> = {}): Record<string, string> {
  return {
    B2B_API_URL: sandbox.url,
    B2B_STORE_HASH: sandbox.storeHash,
    B2B_AUTH_TOKEN: sandbox.authToken,
    HOST: '127.0.0.1',
    PORT: '0',
    ...CREDENTIAL_LIMITS_OFF,
    ...extra,
  };
}

/** The login every shipping test sends: the demo buyer's token and how it was issued. */
export const LOGIN_TOKEN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { token { value via } }
  }
`;

/** POSTs a GraphQL request body as JSON and answers status and parsed body. */
export async function postGraphQL(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
}
