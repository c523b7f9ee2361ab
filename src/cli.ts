#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { COMMAND, helpText, packageVersion } from './command/help.js';

// The package's `bin` (`b2b-auth-gateway`): answers --help and --version, else runs the gateway
// (`main.ts`) with NODE_ENV=production unless the environment says otherwise.

const [argument] = process.argv.slice(2);
/** Whether the command line set this V8 flag (`--name…` or `--no-name`) itself. */
const chosen = (name: string) => process.execArgv.some((flag) => flag.startsWith(`--${name}`) || flag.startsWith(`--no-${name}`));

if (argument === '--help' || argument === '-h') {
  process.stdout.write(helpText());
} else if (argument === '--version' || argument === '-v') {
  process.stdout.write(`${packageVersion()}\n`);
} else if (argument !== undefined) {
  process.stderr.write(`${COMMAND}: unknown argument "${argument}"; the gateway is configured by environment variables only.\nRun "${COMMAND} --help" for the list.\n`);
  process.exitCode = 2;
} else {
  // An installed command is a production artifact: never fall back to the sandbox by accident.
  if ((process.env['NODE_ENV'] ?? '').trim() === '') process.env['NODE_ENV'] = 'production';
  // V8 lets the old generation grow to ~4 × what its last full collection kept before the next,
  // far more than the gateway's small live heap needs; growing by 50 % keeps the peak RSS down
  // at no measured CPU cost (docs/decisions/006-v8-flags.md). Set here, at run time, where it
  // works on every platform (a shebang cannot carry flags portably), unless the command line
  // chose. The young generation keeps V8's size: a smaller one saves little memory for more CPU
  // per login. `createGateway` sets nothing: an embedding application owns its process's flags.
  if (!chosen('heap-growing-percent')) setFlagsFromString('--heap-growing-percent=50');
  // V8 may decide, from a few early scavenges, that an allocation site's objects live long and
  // allocate them in the old generation from then on. A login's objects do not: once tenured,
  // they keep young objects alive through scavenges until the next full collection, which then
  // comes far more often (docs/decisions/006-v8-flags.md).
  if (!chosen('allocation-site-pretenuring')) setFlagsFromString('--no-allocation-site-pretenuring');
  await import('./main.js');
}
