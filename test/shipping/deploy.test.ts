// The deployment examples in deploy/ agree with the gateway: the Kubernetes manifest's settings
// are a configuration it accepts, its grace period outlasts the shutdown, its secrets come from
// files; HAProxy takes a stopping replica out before the shutdown delay ends.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { ENVIRONMENT_VARIABLES } from '../../src/config/variables.js';
import { SECRET_VARIABLES } from '../../src/config/secret-files.js';
import { DEFAULT_HTTP_SERVER_OPTIONS } from '../../src/http/server.js';
import { findBinary, IN_CI } from '../field/support.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const kubernetes = read('deploy/kubernetes.yaml');
const haproxy = read('deploy/haproxy.cfg');

/** The container's environment: every `- name: X` with a `value:` on the next line. */
const manifestEnv = Object.fromEntries([...kubernetes.matchAll(/- name: (\w+)\n\s+value: "?([^"\n]*)"?\n/g)].map(([, name, value]) => [name!, value!]));

/** The longest a stop takes: the shutdown delay, then the drain's timeout (as src/main.ts sets it). */
const longestStopMs = (config: { shutdownDelayMs: number; timeoutMs: number }) =>
  config.shutdownDelayMs + Math.max(DEFAULT_HTTP_SERVER_OPTIONS.drainTimeoutMs, config.timeoutMs + 5_000);

describe('deploy/kubernetes.yaml', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'gateway-deploy-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  /** The manifest's environment with each `_FILE` pointing at a stand-in file holding a valid value. */
  function withStandInSecrets(): Record<string, string> {
    const standIns: Record<string, string> = { B2B_AUTH_TOKEN: 'stand-in-token', GATEWAY_TRUSTED_KEYS: 'stand-in-trusted-key-0123456789', GATEWAY_REDIS_URL: 'redis://redis:6379' };
    const env = { ...manifestEnv };
    for (const name of SECRET_VARIABLES) {
      const path = join(folder, name);
      writeFileSync(path, `${standIns[name]}\n`);
      env[`${name}_FILE`] = path;
    }
    return env;
  }

  it('sets only variables the gateway reads, and passes every secret as a file under a mounted secret', () => {
    const known = [...Object.keys(ENVIRONMENT_VARIABLES), ...SECRET_VARIABLES.map((name) => `${name}_FILE`)];
    const mountPaths = [...kubernetes.matchAll(/mountPath: (\S+)/g)].map(([, path]) => `${path}/`);

    expect(Object.keys(manifestEnv).filter((name) => !known.includes(name))).toEqual([]);
    expect(Object.keys(manifestEnv).filter((name) => (SECRET_VARIABLES as readonly string[]).includes(name))).toEqual([]);
    for (const name of SECRET_VARIABLES) {
      expect(mountPaths.some((mount) => manifestEnv[`${name}_FILE`]?.startsWith(mount)), `${name}_FILE`).toBe(true);
    }
    expect(kubernetes).not.toMatch(/^kind: Secret$/m);
  });

  it("is a production configuration the gateway accepts, trusting the one proxy in front", () => {
    const config = loadConfig({ ...withStandInSecrets(), NODE_ENV: 'production' });

    expect(config.trustedProxyHops).toBe(1);
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.trustedKeys).toEqual(['stand-in-trusted-key-0123456789']);
  });

  it('gives a pod longer to stop than the shutdown delay plus the longest drain', () => {
    const config = loadConfig({ ...withStandInSecrets(), NODE_ENV: 'production' });
    const grace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(kubernetes)?.[1]);

    expect(longestStopMs(config)).toBe(20_000);
    expect(grace * 1000).toBeGreaterThan(longestStopMs(config));
  });

  it('probes /readiness for traffic and /health for liveness', () => {
    expect(kubernetes).toMatch(/readinessProbe:\n\s+httpGet:\n\s+path: \/readiness\n/);
    expect(kubernetes).toMatch(/livenessProbe:\n\s+httpGet:\n\s+path: \/health\n/);
  });
});

describe('deploy/haproxy.cfg', () => {
  it('checks /readiness often enough to take a stopping replica out within the default shutdown delay', () => {
    const [, inter = '', unit, fall = ''] = /default-server inter (\d+)(ms|s) fall (\d+)/.exec(haproxy) ?? [];
    const interMs = Number(inter) * (unit === 's' ? 1000 : 1);

    expect(haproxy).toMatch(/^\s+option httpchk GET \/readiness$/m);
    expect(haproxy).toMatch(/^\s+http-check expect status 200$/m);
    expect(haproxy).toMatch(/^\s+option forwardfor$/m);
    // Down after `fall` failed checks, the first of which may come up to one interval late.
    expect(interMs * Number(fall) + interMs).toBeLessThanOrEqual(Number(ENVIRONMENT_VARIABLES.GATEWAY_SHUTDOWN_DELAY_MS.default));
  });

  const HAPROXY = findBinary('HAPROXY', ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'], '-v');
  if (HAPROXY === undefined && !IN_CI) console.warn('test/shipping/deploy.test.ts: haproxy not installed, its check of deploy/haproxy.cfg is skipped (apt-get install haproxy)');

  // CI installs haproxy (scripts/ci-system-deps.sh): there a missing binary fails this.
  it.skipIf(HAPROXY === undefined && !IN_CI)('is a configuration HAProxy accepts without a warning', () => {
    expect(HAPROXY, 'haproxy is installed').toBeDefined();
    const check = spawnSync(HAPROXY!, ['-c', '-dW', '-f', 'deploy/haproxy.cfg'], { cwd: new URL('../../', import.meta.url), encoding: 'utf8' });

    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
