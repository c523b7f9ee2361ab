import { readFileSync } from 'node:fs';
import { ENVIRONMENT_VARIABLES, type EnvironmentVariable } from '../config/variables.js';
import { SECRET_VARIABLES } from '../config/secret-files.js';

/** The command's name, as the package's `bin` installs it. */
export const COMMAND = 'b2b-auth-gateway';

/**
 * The package's version from its `package.json`, found by walking up from this file: two levels
 * from `src/command/` (tsx), three from `dist/src/command/` and two from the bundled command's
 * `dist/command/src/` (the build, installed or not).
 */
export function packageVersion(): string {
  for (let url = new URL('../package.json', import.meta.url); ; url = new URL('../package.json', url)) {
    try {
      const manifest = JSON.parse(readFileSync(url, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === COMMAND && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No package.json at this level: keep walking up.
    }
    if (url.pathname === '/package.json') return 'unknown';
  }
}

const WIDTH = 100;

function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

// Backticks mark code in the table, for docs/configuration.md; a terminal shows the bare text.
const plain = (markdown: string) => markdown.replace(/`/g, '');

const isSecret = (name: string) => (SECRET_VARIABLES as readonly string[]).includes(name);

const variables = () => Object.entries(ENVIRONMENT_VARIABLES) as Array<[string, EnvironmentVariable]>;

/** `b2b-auth-gateway --help`: usage, signals, exit codes and every environment variable. */
export function helpText(version = packageVersion()): string {
  const entries = variables().map(([name, variable]) =>
    [
      `  ${name}`,
      wrap(plain(variable.meaning), '      '),
      ...(isSecret(name) ? [wrap(`Or ${name}_FILE: the path of a file holding the value (Docker and Kubernetes secrets).`, '      ')] : []),
      ...(variable.default === '' ? [] : [wrap(`Default: ${plain(variable.default)}`, '      ')]),
    ].join('\n'),
  );
  return [
    `${COMMAND} ${version}: a GraphQL gateway for BigCommerce B2B Edition storefront authentication.`,
    '',
    `Usage: ${COMMAND} [--help | --version]`,
    '',
    wrap(
      'Serves GraphQL at http://$HOST:$PORT/graphql. All configuration comes from the environment, read once at start-up; a bad configuration stops the process with one line per problem (exit code 1) and never prints a secret. This command runs with NODE_ENV=production unless NODE_ENV is set (NODE_ENV=development with no B2B_API_URL serves the embedded sandbox). SIGTERM or SIGINT drains in-flight requests, then exits 0.',
      '',
    ),
    '',
    'Options:',
    '  -h, --help     Print this help and exit.',
    '  -v, --version  Print the version and exit.',
    '',
    'Environment variables:',
    entries.join('\n\n'),
    '',
  ].join('\n');
}

/** The table of docs/configuration.md#every-variable: one row per variable, in `--help` order. */
export function variablesMarkdown(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = variables().map(([name, variable]) => {
    const meaning = isSecret(name) ? `${variable.meaning} Or \`${name}_FILE\`: a file holding the value.` : variable.meaning;
    return `| \`${name}\` | ${cell(meaning)} | ${cell(variable.default)} |`;
  });
  return ['| variable | meaning | default |', '|---|---|---|', ...rows, ''].join('\n');
}
