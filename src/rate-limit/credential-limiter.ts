import { hash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CredentialsRejectedError,
  RateLimitedError,
  TokenRejectedError,
  UpstreamRateLimitError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../errors/gateway-errors.js';
import { customerClaims, readClaims } from '../tokens/claims.js';
import type { Acquisition, Budget, RateLimitStore, SpentBudget } from './store.js';
import { SlotWaiters, Waiter } from './waiters.js';

/** One budget: at most `limit` refusals per `windowMs`, attempts in flight included. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** What {@link createCredentialLimiter} enforces. */
export interface CredentialLimits {
  /** Budgets of one account (store and email, case-folded), shared by every credential path. */
  account: readonly WindowLimit[];
  /**
   * Budgets of one client address (see `client-address.ts`), shared by every credential path.
   * Never applied to a trusted caller (see {@link CredentialAttempt}).
   */
  address: readonly WindowLimit[];
  /** Least time an UNAUTHENTICATED or RATE_LIMITED answer takes, in milliseconds; 0: no floor. */
  minFailedAnswerMs: number;
  /**
   * The upstream deadline (`B2B_TIMEOUT_MS`): an attempt still waiting for a slot this long
   * after it started gives up with {@link UpstreamTimeoutError}.
   */
  deadlineMs: number;
  /**
   * How long a slot lives when its attempt never gives it back (a replica killed mid-call).
   * @default deadlineMs + 5000
   */
  slotTtlMs?: number;
  /**
   * Mean interval between two looks at the store while waiting, for slots freed by another
   * instance (a slot freed by this one wakes a waiter at once); each interval is jittered ±50 %.
   * @default 100
   */
  pollMs?: number;
}

/**
 * Who is trying. The account is the email typed in, or for the session-JWT paths the `email`
 * claim of the JWT, read without verifying it (a JWT without one counts by address only, and
 * from a trusted caller not at all).
 *
 * A trusted caller (`trusted`: a valid `X-Gateway-Key`, e.g. a storefront server signing its
 * buyers in on their behalf) is not held to the budgets of its own address, which every buyer it
 * serves shares; the account budgets still apply to it, so a leaked key cannot guess one
 * account's password faster than anyone else.
 */
export type CredentialAttempt = {
  /** The client's address as `client-address.ts` counts it. */
  address: string;
  /** The request carries a valid `X-Gateway-Key`. @default false */
  trusted?: boolean;
  storeHash: string;
} & ({ email: string } | { jwt: string });

/** Guards the credential paths (`login`, `authorization`, `issueStorefrontToken` by credentials or JWT, `issueServerToken`). */
export interface CredentialLimiter {
  /**
   * Runs `call` (the upstream request) as one credential attempt, or throws
   * {@link RateLimitedError} without running it when refusals have used up a budget of `who`.
   *
   * A budget of `limit` counts the attempts the upstream refused (UNAUTHENTICATED) or that
   * failed unexpectedly in its window: what credential stuffing and password guessing produce.
   * Attempts in flight count against it too, each holding a slot while `call` runs, so a burst
   * of guesses can never get more than `limit` past at once, across aliases, batches and
   * instances. A success, or an upstream that never judged the credentials (timeout,
   * unavailable, 429), gives its slot back without counting: buyers who sign in successfully,
   * however often and however many behind one address, never use up a budget.
   *
   * An attempt that finds a budget full only because of attempts in flight waits for one of
   * them to finish rather than being refused; a wait that reaches `deadlineMs` after the attempt
   * started throws {@link UpstreamTimeoutError} and is not counted. RATE_LIMITED therefore always
   * means refusals spent the budget; an attempt turned away is not counted either, so a client
   * that keeps retrying is locked out no longer than the window it spent.
   */
  attempt<T>(who: CredentialAttempt, call: () => Promise<T>): Promise<T>;
  /** Closes the store (the Redis connection). */
  close(): Promise<void>;
}

/** Prefix of every budget key, in Redis next to whatever else lives there. */
const KEY_PREFIX = 'b2b-gateway:rate-limit';

/** How long past the deadline a slot of an attempt that never finished is kept. */
const SLOT_MARGIN_MS = 5000;

interface ScopedBudget extends Budget {
  scope: 'account' | 'address';
}

/**
 * Budget keys hold a SHA-256 of the email or address, never the value itself: Redis (and a
 * memory dump) holds no personal data in plain text. This is pseudonymous, not anonymous: whoever
 * guesses an email can recompute its key. One digest per value, shared by its windows' keys.
 */
const digestOf = (scope: ScopedBudget['scope'], value: string) => hash('sha256', `${scope}\n${value}`, 'hex');
const budgetKey = (scope: ScopedBudget['scope'], windowMs: number, digest: string) => `${KEY_PREFIX}:${scope}:${windowMs}:${digest}`;

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
  const slotTtlMs = limits.slotTtlMs ?? limits.deadlineMs + SLOT_MARGIN_MS;
  const pollMs = limits.pollMs ?? 100;
  const waiters = new SlotWaiters();

  const budgetsOf = (who: CredentialAttempt): ScopedBudget[] => {
    const budgets: ScopedBudget[] = [];
    const add = (scope: ScopedBudget['scope'], value: string | undefined, windows: readonly WindowLimit[]) => {
      if (value === undefined || windows.length === 0) return;
      const digest = digestOf(scope, value);
      for (const { limit, windowMs } of windows) budgets.push({ limit, windowMs, scope, key: budgetKey(scope, windowMs, digest) });
    };
    add('account', accountOf(who), accountWindows);
    if (who.trusted !== true) add('address', who.address, addressWindows);
    return budgets;
  };

  // Unknown accounts, wrong passwords and refusals should all take about as long: pad the
  // quick ones up to the floor (a slower upstream answer is left as it is).
  const padFrom = async (startedAt: number) => {
    const wait = limits.minFailedAnswerMs - (performance.now() - startedAt);
    if (wait > 0) await sleep(wait);
  };

  const refusal = async (budgets: readonly ScopedBudget[], spent: readonly SpentBudget[], startedAt: number): Promise<never> => {
    await padFrom(startedAt);
    const over = spent.map(({ index, resetInMs }) => ({ ...(budgets[index] as ScopedBudget), resetInMs }));
    const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...over.map((budget) => budget.resetInMs)) / 1000));
    throw new RateLimitedError(
      retryAfterSeconds,
      `credential attempts over budget: ${over.map((b) => `${b.scope} ${b.limit} per ${describeWindow(b.windowMs)}`).join(', ')}`,
    );
  };

  // Waits until the store gives a slot in every budget, or a budget is spent, or the deadline.
  // The waiter is queued before each look at the store, so a slot freed while the store answers
  // still wakes it; the jittered poll catches slots freed by other instances.
  const waitForSlot = async (attemptId: string, budgets: readonly ScopedBudget[], busy: Acquisition, startedAt: number) => {
    const waiter = new Waiter(startedAt);
    const deadline = startedAt + limits.deadlineMs;
    // A wake this waiter did not use goes to the next in line on that key.
    const handOn = (key: string | undefined) => {
      if (key !== undefined) waiters.wake([{ key }]);
    };
    let answer = busy;
    let wokenBy: string | undefined;
    while (answer.outcome === 'busy') {
      const busyKeys = answer.busy.map((index) => (budgets[index] as ScopedBudget).key);
      waiters.join(waiter, busyKeys);
      answer = await store.acquire(attemptId, budgets, slotTtlMs);
      if (answer.outcome !== 'busy') {
        if (answer.outcome === 'spent') handOn(wokenBy);
        handOn(waiters.leave(waiter));
        return answer;
      }
      if (wokenBy !== undefined && !answer.busy.some((index) => budgets[index]?.key === wokenBy)) handOn(wokenBy);
      const left = deadline - performance.now();
      if (left <= 0) {
        handOn(waiters.leave(waiter));
        throw new UpstreamTimeoutError('credential limiter: waiting for attempts in flight', limits.deadlineMs);
      }
      await waiter.sleep(Math.min(left, pollMs * (0.5 + Math.random())));
      wokenBy = waiters.leave(waiter);
    }
    return answer;
  };

  return {
    async attempt(who, call) {
      const startedAt = performance.now();
      const budgets = budgetsOf(who);
      const attemptId = randomUUID();
      if (budgets.length > 0) {
        let answer = await store.acquire(attemptId, budgets, slotTtlMs);
        if (answer.outcome === 'busy') answer = await waitForSlot(attemptId, budgets, answer, startedAt);
        if (answer.outcome === 'spent') return refusal(budgets, answer.spent, startedAt);
      }
      const finish = async (refused: boolean) => {
        if (budgets.length === 0) return;
        await store.release(attemptId, budgets, refused);
        waiters.wake(budgets);
      };

      let result: Awaited<ReturnType<typeof call>>;
      try {
        result = await call();
      } catch (error) {
        await finish(!unjudged(error));
        if (failedAnswer(error)) await padFrom(startedAt);
        throw error;
      }
      await finish(false);
      return result;
    },
    close: () => store.close(),
  };
}
