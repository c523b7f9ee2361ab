import type { B2BGraphQLClient } from '../upstream/b2b-graphql/client.js';
import type { UpstreamCompany, UpstreamSession } from '../upstream/models.js';

/**
 * Per-request memo of the buyer-session reads, by token: however many times a document asks
 * `session`, its `masquerade`, or a mutation that needs the session first, BigCommerce is asked
 * once per token. Not a DataLoader: B2B GraphQL has no batch form of these calls, and a request
 * carries one token.
 */
export class SessionLoader {
  readonly #graphql: B2BGraphQLClient;
  readonly #sessions = new Map<string, Promise<UpstreamSession>>();
  readonly #masquerades = new Map<string, Promise<UpstreamCompany | null>>();

  constructor(graphql: B2BGraphQLClient) {
    this.#graphql = graphql;
  }

  /** `currentUser` and `customerInfo` of a token, in one upstream request. */
  session(token: string): Promise<UpstreamSession> {
    let session = this.#sessions.get(token);
    if (session === undefined) {
      session = this.#graphql.session(token);
      this.#sessions.set(token, session);
    }
    return session;
  }

  /** The company a Super Admin acts for (`customerId`: their BigCommerce customer id), or null. */
  masquerade(token: string, customerId: number): Promise<UpstreamCompany | null> {
    let company = this.#masquerades.get(token);
    if (company === undefined) {
      company = this.#graphql.superAdminMasquerading(token, customerId);
      this.#masquerades.set(token, company);
    }
    return company;
  }

  /**
   * A masquerade began or ended: the next {@link masquerade} answers `known` when given, else
   * asks BigCommerce again.
   */
  masqueradeChanged(token: string, known?: UpstreamCompany | null): void {
    if (known === undefined) this.#masquerades.delete(token);
    else this.#masquerades.set(token, Promise.resolve(known));
  }
}
