import { InvalidArgumentError, type Command } from 'commander';
import { isProviderName, PROVIDER_NAMES } from '../../config/provider-names.js';
import type { MapOptions } from '../map-job.js';
import { catchPauseSignals } from '../stop-signals.js';

/** Result formats of `map` (as in src/jobs/result-export.ts). */
const RESULT_FORMATS = ['csv', 'xlsx', 'jsonl'] as const;

/** `code2asin map <file>`: runs a job in this process; Ctrl-C pauses, the same command resumes. */
export function registerMapCommand(program: Command): void {
  program
    .command('map <file>')
    .description('map the codes of a CSV/XLSX file to ASINs and write the result file')
    .option('-o, --output <file>', 'result file (default: <input>-asins.<format> beside the input)')
    .option(
      '--marketplace <list>',
      'marketplaces, comma-separated (fr, de, www.amazon.fr…)',
      process.env.AMAZON_MARKETPLACE ?? 'fr',
    )
    .option('--column <column>', 'the code column: header name, 1-based number or letter')
    .option('--sheet <sheet>', 'XLSX sheet name or 1-based number')
    .option(
      '--format <format>',
      `result format: ${RESULT_FORMATS.join(', ')} (default from --output, else csv)`,
    )
    .option(
      '--decimal <sep>',
      'decimal separator of the added numeric columns in CSV: auto (as the input), comma or point',
      'auto',
    )
    .option('--refresh', 'ignore cached mappings and ask Amazon again')
    .option('--name <name>', 'job name (default: the file name)')
    .option('--owner <owner>', 'owner of the job', 'cli')
    .option(
      '--provider <name>',
      `Amazon provider for this run: ${PROVIDER_NAMES.join(', ')} (default AMAZON_PROVIDER; a provider stored with PUT /api/v1/amazon/config still wins)`,
      parseProvider,
    )
    .option(
      '--providers <list>',
      `providers asked in order, comma-separated (e.g. spapi,creators,keepa): a code one does not find goes to the next; stored with the job`,
      parseProviders,
    )
    .option(
      '--enrich-with <name>',
      'a provider that adds offers and prices for the ASINs the others found (e.g. creators)',
      (v: string) => parseProviderFlag('--enrich-with', v),
    )
    .action(async (file: string, opts: MapOptions) => {
      // Before anything is read or started: Ctrl-C during start-up pauses the job once it exists.
      const signals = catchPauseSignals();
      // Read by the configuration this process loads next (rate defaults follow the provider).
      if (opts.provider) process.env.AMAZON_PROVIDER = opts.provider;
      // The job machinery is loaded on use: other commands start faster.
      const { runMap } = await import('../map-job.js');
      await runMap(file, opts, signals);
    });
}

function parseProvider(value: string): string {
  return parseProviderFlag('--provider', value);
}

function parseProviderFlag(flag: string, value: string): string {
  const name = value.trim().toLowerCase();
  if (isProviderName(name)) return name;
  throw new InvalidArgumentError(
    `${flag} must be one of ${PROVIDER_NAMES.join(', ')} (got "${value.trim()}").`,
  );
}

function parseProviders(value: string): string[] {
  const names = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => parseProviderFlag('--providers', v));
  if (names.length === 0)
    throw new InvalidArgumentError('--providers needs at least one provider.');
  if (new Set(names).size !== names.length)
    throw new InvalidArgumentError('--providers names a provider twice.');
  return names;
}
