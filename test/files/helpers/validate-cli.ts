// Runs `code2asin validate` from its command module until the lead wires it into main.ts.
import { Command } from 'commander';
import { registerValidateCommand } from '../../../src/cli/commands/validate.js';

const program = new Command().name('code2asin');
registerValidateCommand(program);
await program.parseAsync(process.argv);
