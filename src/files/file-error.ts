/** What went wrong with an input file; branch on this, never on the message. */
export type FileErrorCode =
  | 'unsupported_format'
  | 'too_large'
  | 'zip_bomb'
  | 'empty_file'
  | 'no_code_column'
  | 'column_not_found'
  | 'sheet_not_found'
  | 'unreadable'
  | 'too_many_rows'
  | 'too_many_columns'
  | 'cell_too_long'
  | 'too_many_strings';

/** The formats the readers accept, named in every `unsupported_format` message. */
export const SUPPORTED_FORMATS_TEXT =
  'Supported formats: CSV, TSV, TXT (delimited text) and XLSX (Excel 2007 and later).';

/**
 * A file the service cannot read as given. `message` says what is wrong and what to do;
 * `details` holds the machine-readable facts (limit, actual value, detected format, ...).
 */
export class FileError extends Error {
  /**
   * The option that fixes it (`column`, `sheet`), when one does. The message stays neutral;
   * each surface adds the hint in its own words (`surfaceMessage`): the API names its field,
   * the command line its flag.
   */
  option?: 'column' | 'sheet';

  constructor(
    readonly code: FileErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown; option?: 'column' | 'sheet' },
  ) {
    super(message, options);
    this.name = 'FileError';
    if (options?.option) this.option = options.option;
  }
}

/** Where an error is shown: each names its own way to pass an option. */
export type Surface = 'api' | 'cli';

const OPTION_HINTS: Record<'column' | 'sheet', Record<Surface, string>> = {
  column: {
    api: 'Send the code column in the `column` field (header name, 1-based number or letter).',
    cli: 'Name the code column with --column (header name, 1-based number or letter).',
  },
  sheet: {
    api: 'Send the sheet in the `options` field as {"sheet": "<name or 1-based number>"}.',
    cli: 'Name the sheet with --sheet (name or 1-based number).',
  },
};

/** The error's message with the hint written for where it is shown. */
export function surfaceMessage(error: FileError, surface: Surface): string {
  return error.option ? `${error.message} ${OPTION_HINTS[error.option][surface]}` : error.message;
}

/** The file is in a format the readers do not handle (`.xls`, `.ods`, `.numbers`, PDF, ...). */
export class UnsupportedFormatError extends FileError {
  constructor(
    readonly detectedFormat: string,
    message: string,
  ) {
    super('unsupported_format', `${message} ${SUPPORTED_FORMATS_TEXT}`, { detectedFormat });
    this.name = 'UnsupportedFormatError';
  }
}

/** A configured limit was exceeded; `details` holds `limit`, `actual` and the `option` to raise it. */
export class FileLimitError extends FileError {
  constructor(
    code: Extract<
      FileErrorCode,
      | 'too_large'
      | 'zip_bomb'
      | 'too_many_rows'
      | 'too_many_columns'
      | 'cell_too_long'
      | 'too_many_strings'
    >,
    message: string,
    details: { limit: number; actual: number; option: string } & Record<string, unknown>,
  ) {
    super(code, message, details);
    this.name = 'FileLimitError';
  }
}
