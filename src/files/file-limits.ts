/** Limits applied while reading an input file. Every one can be raised per call. */
export interface FileLimits {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
  /** Largest total declared uncompressed size of an XLSX archive, in bytes. */
  maxUncompressedBytes: number;
  /** Largest ratio of declared uncompressed size to compressed size of an XLSX archive. */
  maxCompressionRatio: number;
  /** Most data rows read (Excel's own sheet limit by default). */
  maxRows: number;
  /** Most columns in one row. */
  maxColumns: number;
  /** Longest cell, in characters. */
  maxCellLength: number;
  /**
   * Largest XLSX shared-strings table kept in memory, in bytes (4 per string for its offset,
   * plus 1 per character, 2 when the text has characters beyond Latin-1). See README, Limits.
   */
  maxSharedStringBytes: number;
}

export const DEFAULT_FILE_LIMITS: Readonly<FileLimits> = Object.freeze({
  maxFileBytes: 100 * 1024 * 1024,
  maxUncompressedBytes: 1024 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxRows: 1_048_576,
  maxColumns: 1_000,
  maxCellLength: 10_000,
  maxSharedStringBytes: 64 * 1024 * 1024,
});

/** Fills the limits not given with the defaults. */
export function resolveFileLimits(limits: Partial<FileLimits> = {}): FileLimits {
  return { ...DEFAULT_FILE_LIMITS, ...stripUndefined(limits) };
}

function stripUndefined(limits: Partial<FileLimits>): Partial<FileLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

/** "104,857,600 bytes (100 MB)" for messages. */
export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  const short = mb >= 1 ? `${mb.toFixed(mb >= 10 ? 0 : 1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
  return `${bytes.toLocaleString('en-US')} bytes (${short})`;
}
