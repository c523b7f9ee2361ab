// Typed helpers for talking to a sandbox over real HTTP.
import type { Sandbox } from '../../src/sandbox/index.js';

export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** `X-Auth-Token` + `X-Store-Hash` of the sandbox's API account. */
export function apiAccountHeaders(sandbox: Sandbox): Record<string, string> {
  return { 'x-auth-token': sandbox.authToken, 'x-store-hash': sandbox.storeHash };
}

export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
): Promise<Reply> {
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
  });
  return reply(response);
}

export async function graphql(
  sandbox: Sandbox,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return call(sandbox, 'POST', '/graphql', { headers, body: { query, ...(variables ? { variables } : {}) } });
}

export const LOGIN = /* GraphQL */ `
  mutation Login($loginData: UserLoginType!) {
    login(loginData: $loginData) {
      result {
        token
        loginType
        storefrontLoginToken
        permissions { code permissionLevel }
        user { id bcId firstName lastName email phone role companyRoleId companyRoleName companyInfo { companyId companyName } }
      }
    }
  }
`;

export const AUTHORIZATION = /* GraphQL */ `
  mutation Authorization($authData: UserAuthType!) {
    authorization(authData: $authData) { result { token user { id email } loginType } }
  }
`;

export const CURRENT_USER = /* GraphQL */ `
  query { currentUser { id bcId email role companyInfo { companyId } } }
`;
