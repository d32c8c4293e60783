import { Command } from 'commander';
import { registerDemoCommand } from './commands/demo.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerMapCommand } from './commands/map.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerQuotaCommand } from './commands/quota.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTokensCommand } from './commands/tokens.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerWorkersCommand } from './commands/workers.js';
import { packageVersion } from './version.js';

/** Builds the `code2asin` command line. Commands parse flags and call library functions. */
export function createProgram(): Command {
  const program = new Command();
  program
    .name('code2asin')
    .description('Map product barcodes (EAN/UPC/ISBN/GTIN) to Amazon ASINs in bulk.')
    .version(packageVersion(), '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)');
  registerDemoCommand(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerWorkersCommand(program);
  registerMapCommand(program);
  registerValidateCommand(program);
  registerMigrateCommand(program);
  registerEmulatorCommand(program);
  registerTokensCommand(program);
  registerQuotaCommand(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  await createProgram().parseAsync(argv);
}
