import type { GraphQLReply, Harness } from '../../harness.js';

/** The administration operations the tests send, with every field of the payloads. */
export const ISSUE_SERVER_TOKEN = /* GraphQL */ `
  mutation IssueServerToken($input: IssueServerTokenInput!) {
    issueServerToken(input: $input) { name storeHash token }
  }
`;

export const SERVER_TOKENS = /* GraphQL */ `
  query ServerTokens($limit: Int!, $offset: Int!, $storeHash: String) {
    serverTokens(limit: $limit, offset: $offset, storeHash: $storeHash) {
      totalCount limit offset
      nodes { id name email storeHash token eventChannel }
    }
  }
`;

export const REVOKE_SERVER_TOKEN = /* GraphQL */ `
  mutation Revoke($id: Int!, $storeHash: String) {
    revokeServerToken(id: $id, storeHash: $storeHash) { id storeHash }
  }
`;

/**
 * A GraphQL answer without the `extensions.requestId` of its errors: a fresh id per request
 * (observability), which these tests have no reason to pin down.
 */
export function withoutRequestIds<Body extends { errors?: Array<{ extensions?: Record<string, unknown> }> }>(body: Body): Body {
  if (body.errors === undefined) return body;
  return {
    ...body,
    errors: body.errors.map((error) => {
      if (error.extensions === undefined || !('requestId' in error.extensions)) return error;
      const { requestId: _requestId, ...extensions } = error.extensions;
      return { ...error, extensions };
    }),
  };
}

/** Sends a request to the gateway; the answer's errors come without their `extensions.requestId`. */
export function sendWithoutRequestIds(harness: () => Harness) {
  return async (...args: Parameters<Harness['graphql']>): Promise<GraphQLReply> => {
    const reply = await harness().graphql(...args);
    return { ...reply, body: withoutRequestIds(reply.body) };
  };
}
