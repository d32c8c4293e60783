import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { FileError, FileLimitError, UnsupportedFormatError } from './file-error.js';
import { formatBytes } from './file-limits.js';
import type { FileLimits } from './file-limits.js';
import { readStoredEntry, readZipDirectory } from './read-zip-directory.js';
import type { ZipEntry } from './read-zip-directory.js';

/** What the first bytes (not only the extension) say the file is. */
export interface DetectedFile {
  kind: 'delimited' | 'xlsx';
  bytes: number;
  /** Lower-case extension without the dot, '' when none. */
  extension: string;
  /** The first bytes of the file (up to 64 KB), for encoding and delimiter sniffing. */
  head: Buffer;
}

const HEAD_BYTES = 64 * 1024;
const TEXT_EXTENSIONS = new Set(['', 'csv', 'tsv', 'tab', 'txt', 'psv', 'dat', 'xls']);
const CONVERT = 'Open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8.';

/**
 * Identifies an input file by its magic bytes: XLSX (zip with `xl/workbook.xml`) or delimited
 * text. Refuses everything else with an `UnsupportedFormatError`, an empty file, a file over
 * `maxFileBytes`, and an XLSX whose declared uncompressed size is out of proportion.
 */
export async function detectFileFormat(path: string, limits: FileLimits): Promise<DetectedFile> {
  const file = await openOrThrow(path);
  try {
    const { size } = await file.stat();
    if (size === 0)
      throw new FileError('empty_file', 'The file is empty: there is nothing to read.');
    if (size > limits.maxFileBytes) throw tooLarge(size, limits.maxFileBytes);
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    await file.read(head, 0, head.length, 0);
    const extension = extname(path).slice(1).toLowerCase();
    const base = { bytes: size, extension, head };
    if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
      await checkZip(file, size, extension, limits);
      return { kind: 'xlsx', ...base };
    }
    refuseKnownBinary(head);
    if (!TEXT_EXTENSIONS.has(extension)) {
      throw new UnsupportedFormatError(extension, `Files ending in .${extension} are not read.`);
    }
    return { kind: 'delimited', ...base };
  } finally {
    await file.close();
  }
}

async function openOrThrow(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    throw new FileError(
      'unreadable',
      `Cannot open ${path} (${code}).`,
      { errno: code },
      { cause: error },
    );
  }
}

function refuseKnownBinary(head: Buffer): void {
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw new UnsupportedFormatError(
      'xls',
      `This is an Excel 97-2003 workbook (.xls) or a password-protected workbook, which cannot be read. Remove any password, then ${CONVERT.charAt(0).toLowerCase()}${CONVERT.slice(1)}`,
    );
  }
  if (head.toString('latin1', 0, 5) === '%PDF-') {
    throw new UnsupportedFormatError(
      'pdf',
      `This is a PDF document, not a spreadsheet. ${CONVERT}`,
    );
  }
  const start = head
    .toString('utf8', 0, 512)
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (start.startsWith('<?xml') || start.startsWith('<html') || start.startsWith('<!doctype')) {
    throw new UnsupportedFormatError(
      'markup',
      `This is an HTML or XML file (some systems export these with an .xls name). ${CONVERT}`,
    );
  }
}

async function checkZip(
  file: FileHandle,
  size: number,
  extension: string,
  limits: FileLimits,
): Promise<void> {
  const entries = await readZipDirectory(file, size);
  const names = new Set(entries.map((e) => e.name));
  if (!names.has('xl/workbook.xml')) await refuseOtherZip(file, entries, names, extension);
  const uncompressed = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  const ratio = uncompressed / size;
  if (uncompressed > limits.maxUncompressedBytes || ratio > limits.maxCompressionRatio) {
    const overCap = uncompressed > limits.maxUncompressedBytes;
    throw new FileLimitError(
      'zip_bomb',
      `The workbook declares ${formatBytes(uncompressed)} of content once uncompressed, ${ratio.toFixed(0)}× its size on disk; the limit is ${overCap ? formatBytes(limits.maxUncompressedBytes) : `${limits.maxCompressionRatio}×`}. If the file is genuine, save it as CSV UTF-8 or split it.`,
      {
        limit: overCap ? limits.maxUncompressedBytes : limits.maxCompressionRatio,
        actual: overCap ? uncompressed : ratio,
        option: overCap ? 'maxUncompressedBytes' : 'maxCompressionRatio',
        uncompressedBytes: uncompressed,
        compressedBytes: size,
      },
    );
  }
}

async function refuseOtherZip(
  file: FileHandle,
  entries: ZipEntry[],
  names: Set<string>,
  extension: string,
): Promise<never> {
  const mimetype = entries.find((e) => e.name === 'mimetype');
  const mime = mimetype ? await readStoredEntry(file, mimetype, 200) : null;
  if (mime?.startsWith('application/vnd.oasis.opendocument')) {
    throw new UnsupportedFormatError(
      'ods',
      `This is an OpenDocument file (.ods, LibreOffice/OpenOffice), which cannot be read. ${CONVERT}`,
    );
  }
  if (extension === 'numbers' || [...names].some((n) => n.startsWith('Index/'))) {
    throw new UnsupportedFormatError(
      'numbers',
      'This is an Apple Numbers file, which cannot be read. In Numbers, choose File > Export To > CSV or Excel (.xlsx).',
    );
  }
  if (names.has('xl/workbook.bin')) {
    throw new UnsupportedFormatError(
      'xlsb',
      `This is an Excel binary workbook (.xlsb), which cannot be read. ${CONVERT}`,
    );
  }
  throw new UnsupportedFormatError(
    'zip',
    `This is a zip archive that holds no Excel workbook. ${CONVERT}`,
  );
}

function tooLarge(size: number, limit: number): FileLimitError {
  return new FileLimitError(
    'too_large',
    `The file is ${formatBytes(size)}; the limit is ${formatBytes(limit)}. Split it into smaller files, or raise the limit (maxFileBytes).`,
    { limit, actual: size, option: 'maxFileBytes' },
  );
}

function startsWith(buffer: Buffer, bytes: number[]): boolean {
  return bytes.every((b, i) => buffer[i] === b);
}
