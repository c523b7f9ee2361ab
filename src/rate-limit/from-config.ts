import type { GatewayConfig } from '../config/environment.js';
import type { Logger } from '../observability/logger.js';
import { createCredentialLimiter, type CredentialLimiter } from './credential-limiter.js';
import { createMemoryStore } from './memory-store.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The gateway's credential limiter as configured: budgets in Redis when `redisUrl` is set
 * (shared by every instance, this instance's memory while Redis is out), else in memory; an
 * attempt waits for a slot no longer than the upstream deadline (`timeoutMs`).
 * Waits for the first Redis connection (bounded), so the first logins are already shared.
 */
export async function openCredentialLimiter(
  config: Pick<GatewayConfig, 'redisUrl' | 'credentialLimits' | 'timeoutMs'>,
  logger: Logger,
): Promise<CredentialLimiter> {
  const limits = config.credentialLimits;
  const memory = createMemoryStore();
  // ioredis is loaded only when a Redis is configured.
  const store =
    config.redisUrl === undefined
      ? memory
      : await (await import('./redis-store.js')).createRedisStore({ url: config.redisUrl, logger, fallback: memory });
  return createCredentialLimiter(
    {
      account: [
        { limit: limits.accountPerMinute, windowMs: MINUTE_MS },
        { limit: limits.accountPerHour, windowMs: HOUR_MS },
      ],
      address: [
        { limit: limits.addressPerMinute, windowMs: MINUTE_MS },
        { limit: limits.addressPerHour, windowMs: HOUR_MS },
      ],
      minFailedAnswerMs: limits.minFailedAnswerMs,
      deadlineMs: config.timeoutMs,
    },
    store,
  );
}
