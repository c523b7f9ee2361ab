import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.js';

/**
 * Audits of the GraphQL-over-HTTP spec that this gateway deliberately fails, with the reason.
 * Keyed by audit id; every other MUST and SHOULD audit has to pass.
 */
const EXCEPTIONS: Record<string, string> = {};

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness?.close());

describe('GraphQL over HTTP (graphql-http serverAudits)', () => {
  // The URL is only known once the harness listens, so the audits read it lazily.
  const audits = serverAudits({ url: () => harness.url, fetchFn: fetch });

  it('has audits to run', () => {
    expect(audits.length).toBeGreaterThan(20);
  });

  for (const audit of audits) {
    const exception = EXCEPTIONS[audit.id];
    it(`${audit.name}${exception ? ` (exception: ${exception})` : ''}`, async () => {
      const result = await audit.fn();
      if (exception) {
        expect(result.status).not.toBe('ok');
        return;
      }
      if (audit.name.startsWith('MUST') || audit.name.startsWith('SHOULD')) {
        expect({ status: result.status, reason: 'reason' in result ? result.reason : undefined }).toEqual({ status: 'ok', reason: undefined });
      }
    });
  }
});
