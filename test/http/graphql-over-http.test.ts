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

  // Every MUST and SHOULD audit is a test that must pass; MAY audits are optional behaviour,
  // run once and reported, never counted as passed.
  const required = audits.filter((audit) => audit.name.startsWith('MUST') || audit.name.startsWith('SHOULD'));
  const optional = audits.filter((audit) => !required.includes(audit));

  for (const audit of required) {
    const exception = EXCEPTIONS[audit.id];
    it(`${audit.name}${exception ? ` (exception: ${exception})` : ''}`, async () => {
      const result = await audit.fn();
      if (exception) {
        expect(result.status).not.toBe('ok');
        return;
      }
      expect({ status: result.status, reason: 'reason' in result ? result.reason : undefined }).toEqual({ status: 'ok', reason: undefined });
    });
  }

  it(`reports the ${optional.length} optional (MAY) audits`, async () => {
    const failed: string[] = [];
    for (const audit of optional) {
      const result = await audit.fn();
      if (result.status !== 'ok') failed.push(`${audit.id} ${audit.name}`);
    }
    console.log(`graphql-http MAY audits: ${optional.length - failed.length} of ${optional.length} ok${failed.length ? `; not ok: ${failed.join('; ')}` : ''}`);
    expect(optional.length).toBeGreaterThan(0);
  });
});
