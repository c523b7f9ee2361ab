import { readFileSync, statSync } from 'node:fs';

/**
 * The variables that hold secrets. Each may instead be read from the file its `<NAME>_FILE`
 * twin names (Docker and Kubernetes secrets), so the value stays out of process listings and
 * `docker inspect`. `GATEWAY_STORES` needs no twin: it already takes a file path.
 */
export const SECRET_VARIABLES = ['B2B_AUTH_TOKEN', 'GATEWAY_TRUSTED_KEYS', 'GATEWAY_REDIS_URL'] as const;

/** Largest secret or configuration file read, in bytes: these are a few lines at most. */
const MAX_FILE_BYTES = 1024 * 1024;

export type FileRead = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Reads a secret or configuration file once, dropping the trailing newline(s) an editor or
 * `echo` leaves. `reason` says what is wrong with the file in words that never include its
 * content: "does not exist", "is empty", ….
 */
export function readConfigFile(path: string): FileRead {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return { ok: false, reason: 'is not a regular file' };
    if (stats.size > MAX_FILE_BYTES) return { ok: false, reason: `is larger than ${MAX_FILE_BYTES} bytes` };
    const value = readFileSync(path, 'utf8').replace(/(?:\r?\n)+$/, '');
    if (value.trim() === '') return { ok: false, reason: 'is empty' };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: describeFsError(error) };
  }
}

// Only the error code: a Node error message repeats the path, which the caller prints already.
function describeFsError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'is not readable (permission denied)';
    case 'EISDIR':
      return 'is not a regular file';
    case 'ENOTDIR':
      return 'does not exist (a parent is not a folder)';
    default:
      return `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`;
  }
}

/** The environment with every `<NAME>_FILE` read into `<NAME>`. */
export interface ResolvedSecretFiles {
  /** A copy of the environment where each secret read from a file is set under its own name. */
  env: Record<string, string | undefined>;
  /** `<NAME>` → the path its value was read from, to say so in later problems. */
  sources: ReadonlyMap<string, string>;
  /** Variables whose file could not be used: checks that would call them missing are skipped. */
  failed: ReadonlySet<string>;
  /** One line per problem, naming the variables and the path, never a file's content. */
  problems: string[];
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/**
 * Resolves the `<NAME>_FILE` twins of {@link SECRET_VARIABLES}: reads each named file once,
 * refuses a variable set both ways, and reports an unreadable or empty file by variable and
 * path.
 */
export function resolveSecretFiles(env: Record<string, string | undefined>): ResolvedSecretFiles {
  const resolved = { ...env };
  const sources = new Map<string, string>();
  const failed = new Set<string>();
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const fileVariable = `${name}_FILE`;
    const path = env[fileVariable]?.trim();
    if (!isSet(path)) continue;
    if (isSet(env[name])) {
      problems.push(`${name}, ${fileVariable}: both are set; set only one`);
      failed.add(name);
      continue;
    }
    const read = readConfigFile(path);
    if (!read.ok) {
      problems.push(`${fileVariable}: ${path} ${read.reason}`);
      failed.add(name);
      continue;
    }
    resolved[name] = read.value;
    sources.set(name, path);
  }
  return { env: resolved, sources, failed, problems };
}
