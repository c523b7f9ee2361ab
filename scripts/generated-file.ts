import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { argv, exit, stderr, stdout } from 'node:process';
import { fileURLToPath } from 'node:url';

/**
 * Writes a generated file, or with `--check` on the command line only compares: exits 1 when
 * the file is missing or differs, telling to run `regenerate` and commit the result.
 */
export function writeOrCheck(file: URL, expected: string, regenerate: string): void {
  const path = fileURLToPath(file);
  if (argv.includes('--check')) {
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== expected) {
      stderr.write(`${path} is ${current === undefined ? 'missing' : 'stale'}: run ${regenerate} and commit the result.\n`);
      exit(1);
    }
    stdout.write(`${path} is up to date.\n`);
    return;
  }
  mkdirSync(new URL('.', file), { recursive: true });
  writeFileSync(path, expected);
  stdout.write(`wrote ${path}\n`);
}
