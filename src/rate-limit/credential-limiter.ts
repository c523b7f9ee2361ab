import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CredentialsRejectedError,
  RateLimitedError,
  TokenRejectedError,
  UpstreamRateLimitError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../errors.js';
import { customerClaims, readClaims } from '../tokens/claims.js';
import type { RateLimitStore } from './store.js';

/** One budget: at most `limit` attempts per `windowMs`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** What {@link createCredentialLimiter} enforces. */
export interface CredentialLimits {
  /** Budgets of one account (store and email, case-folded), shared by every credential path. */
  account: readonly WindowLimit[];
  /** Budgets of one client address (see `client-address.ts`), shared by every credential path. */
  address: readonly WindowLimit[];
  /** Least time an UNAUTHENTICATED or RATE_LIMITED answer takes, in milliseconds; 0: no floor. */
  minFailedAnswerMs: number;
}

/**
 * Who is trying. The account is the email typed in, or for the session-JWT paths the `email`
 * claim of the JWT, read without verifying it (a JWT without one counts by address only).
 */
export type CredentialAttempt = { address: string; storeHash: string } & ({ email: string } | { jwt: string });

/** Guards the credential paths (`login`, `authorization`, `issueStorefrontToken` by credentials or JWT). */
export interface CredentialLimiter {
  /**
   * Runs `call` (the upstream request) as one credential attempt, or throws
   * {@link RateLimitedError} without running it when a budget of `who` is used up.
   *
   * Each attempt takes its slot in every budget BEFORE `call` runs, with one atomic hit per
   * counter, so concurrent requests, aliases and batches can never get more than `limit`
   * attempts past. The slot is given back when the upstream did not refuse the credentials:
   * a success, or an upstream that never judged them (timeout, unavailable, 429). What stays
   * counted is every attempt the upstream refused (UNAUTHENTICATED) or that failed
   * unexpectedly: that is what credential stuffing and password guessing produce, while buyers
   * who sign in successfully, however often and however many behind one NAT, never use up a
   * budget. An attempt turned away here (RATE_LIMITED) is not counted either, so a client that
   * keeps retrying is locked out no longer than the window it spent.
   */
  attempt<T>(who: CredentialAttempt, call: () => Promise<T>): Promise<T>;
  /** Closes the store (the Redis connection). */
  close(): Promise<void>;
}

/** Prefix of every counter key, in Redis next to whatever else lives there. */
const KEY_PREFIX = 'b2b-gateway:rate-limit';

interface Budget extends WindowLimit {
  scope: 'account' | 'address';
  key: string;
}

/**
 * Counter keys hold a SHA-256 of the email or address, never the value itself: Redis (and a
 * memory dump) holds no personal data in plain text. This is pseudonymous, not anonymous: whoever
 * guesses an email can recompute its key. One digest per value, shared by its windows' keys.
 */
const digestOf = (scope: Budget['scope'], value: string) => hash('sha256', `${scope}\n${value}`, 'hex');
const counterKey = (scope: Budget['scope'], windowMs: number, digest: string) => `${KEY_PREFIX}:${scope}:${windowMs}:${digest}`;

/** The account an attempt names: store and email, trimmed and case-folded; `undefined` when none. */
function accountOf(who: CredentialAttempt): string | undefined {
  const email = 'email' in who ? who.email : customerClaims(readClaims(who.jwt) ?? {}).email;
  const folded = email?.trim().toLowerCase();
  return folded ? `${who.storeHash}\n${folded}` : undefined;
}

// The upstream never judged the credentials: it gave no answer, or refused to work.
const unjudged = (error: unknown) =>
  error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError || error instanceof UpstreamRateLimitError;

// The answers that must not come back faster than a refused password would.
const failedAnswer = (error: unknown) =>
  error instanceof CredentialsRejectedError ||
  error instanceof TokenRejectedError ||
  error instanceof RateLimitedError ||
  error instanceof UpstreamRateLimitError;

const describeWindow = (windowMs: number) =>
  windowMs % 3_600_000 === 0 ? `${windowMs / 3_600_000} h` : windowMs % 60_000 === 0 ? `${windowMs / 60_000} min` : `${windowMs} ms`;

/** Builds a {@link CredentialLimiter} on a store. A budget with limit 0 is off. */
export function createCredentialLimiter(limits: CredentialLimits, store: RateLimitStore): CredentialLimiter {
  // Budgets with limit 0 are off; the rest are known from the start.
  const accountWindows = limits.account.filter((w) => w.limit > 0);
  const addressWindows = limits.address.filter((w) => w.limit > 0);
  const budgetsOf = (who: CredentialAttempt): Budget[] => {
    const budgets: Budget[] = [];
    const add = (scope: Budget['scope'], value: string | undefined, windows: readonly WindowLimit[]) => {
      if (value === undefined || windows.length === 0) return;
      const digest = digestOf(scope, value);
      for (const { limit, windowMs } of windows) budgets.push({ limit, windowMs, scope, key: counterKey(scope, windowMs, digest) });
    };
    add('account', accountOf(who), accountWindows);
    add('address', who.address, addressWindows);
    return budgets;
  };

  // Unknown accounts, wrong passwords and refusals should all take about as long: pad the
  // quick ones up to the floor (a slower upstream answer is left as it is).
  const padFrom = async (startedAt: number) => {
    const wait = limits.minFailedAnswerMs - (performance.now() - startedAt);
    if (wait > 0) await sleep(wait);
  };

  return {
    async attempt(who, call) {
      const startedAt = performance.now();
      const budgets = budgetsOf(who);
      const counts = await store.hit(budgets);
      const keys = budgets.map((budget) => budget.key);
      const giveBack = () => store.undo(keys);

      const spent = budgets.flatMap((budget, index) => {
        const count = counts[index];
        return count !== undefined && count.count > budget.limit ? [{ ...budget, resetInMs: count.resetInMs }] : [];
      });
      if (spent.length > 0) {
        await giveBack();
        await padFrom(startedAt);
        const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...spent.map((budget) => budget.resetInMs)) / 1000));
        throw new RateLimitedError(
          retryAfterSeconds,
          `credential attempts over budget: ${spent.map((b) => `${b.scope} ${b.limit} per ${describeWindow(b.windowMs)}`).join(', ')}`,
        );
      }

      try {
        const result = await call();
        await giveBack();
        return result;
      } catch (error) {
        if (unjudged(error)) await giveBack();
        if (failedAnswer(error)) await padFrom(startedAt);
        throw error;
      }
    },
    close: () => store.close(),
  };
}
