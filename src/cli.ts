#!/usr/bin/env node
import { COMMAND, helpText, packageVersion } from './help.js';

// The package's `bin` (`b2b-auth-gateway`): answers --help and --version, else runs the gateway
// (`main.ts`) with NODE_ENV=production unless the environment says otherwise.
const [argument] = process.argv.slice(2);

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
  await import('./main.js');
}
