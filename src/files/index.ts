export type { Cell, TableRow } from './table-row.js';
export type { FileErrorCode } from './file-error.js';
export {
  FileError,
  FileLimitError,
  UnsupportedFormatError,
  SUPPORTED_FORMATS_TEXT,
} from './file-error.js';
export type { FileLimits } from './file-limits.js';
export { DEFAULT_FILE_LIMITS, resolveFileLimits } from './file-limits.js';
export type { OpenTableOptions, Table, TableDetection } from './open-table.js';
export { openTable } from './open-table.js';
export type { ColumnDetection, DetectedColumns } from './detect-columns.js';
export { detectColumns } from './detect-columns.js';
export type { ColumnRole } from './column-names.js';
export { matchHeader, normaliseHeader } from './column-names.js';
export type { DetectedFile } from './detect-file-format.js';
export { detectFileFormat } from './detect-file-format.js';
export type { DelimitedInfo } from './read-delimited-rows.js';
export type { XlsxInfo } from './read-xlsx-rows.js';
export type { Delimiter } from './sniff-delimiter.js';
export type { TextEncodingName } from './text-encoding.js';
export type { ResultRow, ResultTable } from './result-table.js';
export type { WriteCsvOptions } from './write-csv.js';
export { writeCsv } from './write-csv.js';
export type { WriteXlsxOptions } from './write-xlsx.js';
export { writeXlsx } from './write-xlsx.js';
export { writeJsonLines } from './write-json-lines.js';
export { neutraliseFormula } from './neutralise-formula.js';
export type { ValidatedRow, ValidationReport, ValidateFileOptions } from './validate-file.js';
export { validateFile } from './validate-file.js';
export type { Surface } from './file-error.js';
export { surfaceMessage } from './file-error.js';
export { formatBytes } from './file-limits.js';
export {
  formatDetection,
  formatValidationReport,
  invalidReasons,
  invalidSummary,
} from './format-validation-report.js';
