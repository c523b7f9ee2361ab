// Prints the README's Operations table of environment variables as Markdown, from the one list
// in `src/config/variables.ts` (`ENVIRONMENT_VARIABLES`) that `b2b-auth-gateway --help` prints too:
//
//   tsx scripts/print-variables.ts
import { stdout } from 'node:process';
import { variablesMarkdown } from '../src/command/help.js';

stdout.write(variablesMarkdown());
