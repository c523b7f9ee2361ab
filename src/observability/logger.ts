/** Log levels, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The gateway's logger; also Yoga's (`logging` option), hence the variadic methods. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  /**
   * Whether a line of `level` would be written, so a caller can skip building one. Optional: a
   * logger without it is handed every line and filters them itself.
   */
  isLevelEnabled?(level: LogLevel): boolean;
}

export interface LoggerOptions {
  /** Lowest level written. @default 'info' */
  level?: LogLevel;
  /** Where each JSON line goes. @default a line on stderr */
  write?: (line: string) => void;
  /** Values that must never appear in a line (X-Auth-Tokens, gateway keys); replaced by `[redacted]`. */
  secrets?: readonly string[];
}

// Keys whose values are secrets wherever they appear in a logged object.
const SECRET_KEY = /pass(word)?|secret|token|authorization|x-auth-token|x-gateway-key|bctoken|jwt|cookie/i;
// Any JWT-shaped string: issued tokens, Current Customer JWTs, storefront login tokens.
const JWT_PATTERN = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;

/**
 * Structured JSON lines with redaction by key, by known secret value and by JWT shape, so a
 * careless `logger.info(input)` still cannot leak a password or a token. Errors are logged with
 * name, message, cause and the frame they were thrown from, not their whole stack.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const secrets = (options.secrets ?? []).filter((secret) => secret.length >= 4);

  const scrub = (text: string) => {
    let clean = text.replace(JWT_PATTERN, '[jwt]');
    for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
    return clean;
  };

  const log = (level: LogLevel) => (...args: unknown[]) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const [first, ...rest] = args;
    const entry: Record<string, unknown> = { level, time: new Date().toISOString() };
    if (typeof first === 'string') entry['msg'] = first;
    else if (first !== undefined) rest.unshift(first);
    for (const item of rest) {
      if (item instanceof Error) entry['err'] = describeError(item);
      else if (typeof item === 'object' && item !== null) Object.assign(entry, item);
      else if (item !== undefined) entry['msg'] = `${String(entry['msg'] ?? '')} ${String(item)}`.trim();
    }
    write(JSON.stringify(redact(entry, 0, scrub)));
  };

  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    isLevelEnabled: (level) => LOG_LEVELS.indexOf(level) >= threshold,
  };
}

// Scrubbing happens on the values, before JSON escaping could hide a secret from the search.
function redact(value: unknown, depth: number, scrub: (text: string) => string): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, scrub));
  if (value instanceof Error) return redact(describeError(value), depth + 1, scrub);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [scrub(key), SECRET_KEY.test(key) && item != null ? '[redacted]' : redact(item, depth + 1, scrub)]),
  );
}

function describeError(error: Error, depth = 0): Record<string, unknown> {
  const origin = error.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  const described: Record<string, unknown> = { name: error.name, message: error.message };
  if (origin !== undefined) described['origin'] = origin.trim().replace(/^at /, '');
  const original = (error as { originalError?: unknown }).originalError;
  const cause = original instanceof Error ? original : error.cause;
  if (cause instanceof Error && depth < 3) described['cause'] = describeError(cause, depth + 1);
  return described;
}
