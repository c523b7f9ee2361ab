import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/environment.js';

/**
 * A temporary folder, removed after the calling file's tests, and a writer of files in it
 * (`name` relative to the folder; a fresh name by default). Call at the top of a test file.
 */
export function tempFolder(prefix: string): { folder: string; file(content: string, name?: string): string } {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  let files = 0;
  return {
    folder,
    file(content, name = `file-${++files}`) {
      const path = join(folder, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

/**
 * The problems `loadConfig` reports for `env`. Fails the test when it accepts `env`, or when
 * its message, stack or problems show `secret`: whatever goes wrong, no secret is printed.
 */
export function configProblems(env: Record<string, string | undefined>, secret: string): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    const printed = `${String(error)}\n${(error as Error).stack ?? ''}\n${JSON.stringify(problems)}`;
    expect(printed).not.toContain(secret);
    return problems;
  }
  throw new Error('loadConfig accepted the environment');
}
