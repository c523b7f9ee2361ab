// Prints the table of environment variables of docs/configuration.md#every-variable as Markdown,
// from the one list in `src/config/variables.ts` (`ENVIRONMENT_VARIABLES`) that
// `b2b-auth-gateway --help` prints too:
//
//   tsx scripts/print-variables.ts
import { stdout } from 'node:process';
import { variablesMarkdown } from '../src/command/help.js';

stdout.write(variablesMarkdown());
