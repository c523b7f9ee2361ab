#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
import { COMMAND, helpText, packageVersion } from './help.js';

// The package's `bin` (`b2b-auth-gateway`): answers --help and --version, else runs the gateway
// (`main.ts`) with NODE_ENV=production unless the environment says otherwise.
//
// The V8 flags above keep the heap near what the gateway uses: its live heap is ~30 MB, and by
// default V8 lets the young generation reach 48 MB and the old one grow to ~4 × what the last
// full collection kept before collecting again, so a busy gateway peaks at ~230 MB RSS. With
// them it peaks at ~140 MB, for no CPU cost beyond the noise of the benchmark (bench/PROFILE.md;
// a 4 MB young generation cost 18 %). Started as `node dist/src/cli.js`, pass them to node yourself.
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
