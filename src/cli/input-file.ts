import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** A CLI input file that cannot be opened: a sentence, never a raw `ENOENT`. */
export class InputFileError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

/** Checks that `path` is a readable file; throws an InputFileError saying what to do otherwise. */
export function assertReadableFile(path: string): void {
  const full = resolve(path);
  let stats;
  try {
    stats = statSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new InputFileError(
        `There is no file "${path}" (looked for ${full}). Check the name, or give the file's full path.`,
      );
    if (code === 'EACCES')
      throw new InputFileError(
        `Cannot open "${path}": permission denied on a folder of its path. Check its permissions.`,
      );
    throw error;
  }
  if (stats.isDirectory())
    throw new InputFileError(`"${path}" is a folder: give a CSV, TSV, TXT or XLSX file inside it.`);
  try {
    accessSync(full, constants.R_OK);
  } catch {
    throw new InputFileError(
      `Cannot read "${path}": permission denied. Check its permissions (chmod u+r "${path}") or copy it somewhere readable.`,
    );
  }
}
