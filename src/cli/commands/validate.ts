import { once } from 'node:events';
import type { Command } from 'commander';
import {
  FileError,
  surfaceMessage,
  type ValidateFileOptions,
  type validateFile as ValidateFileFn,
} from '../../files/index.js';

type ValidateFile = typeof ValidateFileFn;

interface ValidateFlags {
  column?: string;
  sheet?: string;
  json?: boolean;
}

/** Exit code when the file could not be read (invalid codes in a readable file exit 0). */
export const UNREADABLE_FILE_EXIT_CODE = 2;

/** `code2asin validate <file>`: reads a file and reports what it holds, without any lookup. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'check a CSV/TSV/XLSX file: detected format and columns, valid/invalid/duplicate codes',
    )
    .argument('<file>', 'CSV, TSV, TXT or XLSX file')
    .option('-c, --column <column>', 'code column: header name, number (1 = first) or letter')
    .option('-s, --sheet <sheet>', 'XLSX sheet: name or number (1 = first)')
    .option('--json', 'print one JSON document, including every row')
    .action(async (file: string, flags: ValidateFlags) => {
      const options: ValidateFileOptions = { column: flags.column, sheet: flags.sheet };
      // Loaded on use (exceljs is heavy): other commands start faster.
      const { formatValidationReport } = await import('../../files/format-validation-report.js');
      const { validateFile } = await import('../../files/validate-file.js');
      const { assertReadableFile, InputFileError } = await import('../input-file.js');
      try {
        try {
          assertReadableFile(file);
        } catch (error) {
          // Reported like any unreadable file (with --json: the error document on stdout).
          if (error instanceof InputFileError) throw new FileError('unreadable', error.message);
          throw error;
        }
        if (flags.json) await printJson(file, options, validateFile);
        else process.stdout.write(formatValidationReport(await validateFile(file, options)));
      } catch (error) {
        if (!(error instanceof FileError)) throw error;
        const message = surfaceMessage(error, 'cli');
        if (flags.json) {
          const { code, details } = error;
          process.stdout.write(`${JSON.stringify({ error: { code, message, details } })}\n`);
        }
        process.stderr.write(`code2asin: ${message}\n`);
        process.exitCode = UNREADABLE_FILE_EXIT_CODE;
      }
    });
}

/** Streams the document: the rows are written as they are validated, never held in memory. */
async function printJson(
  file: string,
  options: ValidateFileOptions,
  validateFile: ValidateFile,
): Promise<void> {
  const out = process.stdout;
  let buffer = '';
  let first = true;
  const flush = async (): Promise<void> => {
    if (!out.write(buffer)) await once(out, 'drain');
    buffer = '';
  };
  // The detection goes after the rows: the encoding can still change while reading (a
  // Windows-1252 byte after the first 64 KB).
  buffer = '{"schema":"code2asin.validate/1","rows":[';
  const report = await validateFile(file, {
    ...options,
    onRow: (row) => {
      buffer += `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
      first = false;
      return buffer.length >= 64 * 1024 ? flush() : undefined;
    },
  });
  buffer += `\n],${JSON.stringify(report).slice(1)}\n`;
  await flush();
}
