import type { FileHandle } from 'node:fs/promises';
import { FileError } from './file-error.js';

/** One file of a zip archive, as its central directory declares it. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const U32_MAX = 0xffffffff;
/** A real XLSX directory is a few KB; anything this large is hostile or broken. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

/**
 * Reads the central directory at the end of a zip archive without inflating anything, so the
 * declared sizes can be checked (zip bomb) and the content identified (XLSX, ODS, Numbers).
 */
export async function readZipDirectory(file: FileHandle, fileBytes: number): Promise<ZipEntry[]> {
  const { offset, size } = await findCentralDirectory(file, fileBytes);
  if (size > MAX_DIRECTORY_BYTES || offset + size > fileBytes) {
    throw unreadableZip('its central directory is out of bounds');
  }
  const dir = await readAt(file, offset, size);
  const entries: ZipEntry[] = [];
  let pos = 0;
  while (pos + 46 <= dir.length && dir.readUInt32LE(pos) === CENTRAL_SIGNATURE) {
    const nameLength = dir.readUInt16LE(pos + 28);
    const extraLength = dir.readUInt16LE(pos + 30);
    const commentLength = dir.readUInt16LE(pos + 32);
    const name = dir.toString('utf8', pos + 46, pos + 46 + nameLength);
    const extra = dir.subarray(pos + 46 + nameLength, pos + 46 + nameLength + extraLength);
    const entry: ZipEntry = {
      name,
      method: dir.readUInt16LE(pos + 10),
      compressedSize: dir.readUInt32LE(pos + 20),
      uncompressedSize: dir.readUInt32LE(pos + 24),
      localHeaderOffset: dir.readUInt32LE(pos + 42),
    };
    applyZip64Extra(entry, extra);
    entries.push(entry);
    pos += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Reads a small stored (uncompressed) entry such as an ODS `mimetype`; null when compressed. */
export async function readStoredEntry(
  file: FileHandle,
  entry: ZipEntry,
  maxBytes: number,
): Promise<string | null> {
  if (entry.method !== 0 || entry.compressedSize > maxBytes) return null;
  const header = await readAt(file, entry.localHeaderOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) return null;
  const dataStart =
    entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  return (await readAt(file, dataStart, entry.compressedSize)).toString('utf8');
}

async function findCentralDirectory(
  file: FileHandle,
  fileBytes: number,
): Promise<{ offset: number; size: number }> {
  const tailLength = Math.min(fileBytes, 22 + 65535);
  const tailStart = fileBytes - tailLength;
  const tail = await readAt(file, tailStart, tailLength);
  for (let i = tail.length - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const size = tail.readUInt32LE(i + 12);
    const offset = tail.readUInt32LE(i + 16);
    if (size !== U32_MAX && offset !== U32_MAX) return { offset, size };
    return findZip64Directory(file, tailStart + i);
  }
  throw unreadableZip('its end-of-archive record is missing (the file may be truncated)');
}

async function findZip64Directory(
  file: FileHandle,
  eocdOffset: number,
): Promise<{ offset: number; size: number }> {
  const locator = await readAt(file, eocdOffset - 20, 20);
  if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE) {
    throw unreadableZip('its ZIP64 locator is missing');
  }
  const record = await readAt(file, Number(locator.readBigUInt64LE(8)), 56);
  if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) {
    throw unreadableZip('its ZIP64 directory record is missing');
  }
  return { size: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) };
}

function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  let pos = 0;
  while (pos + 4 <= extra.length) {
    const id = extra.readUInt16LE(pos);
    const length = extra.readUInt16LE(pos + 2);
    if (id === 0x0001) {
      let field = pos + 4;
      const next = (): number => {
        const value = field + 8 <= pos + 4 + length ? Number(extra.readBigUInt64LE(field)) : 0;
        field += 8;
        return value;
      };
      if (entry.uncompressedSize === U32_MAX) entry.uncompressedSize = next();
      if (entry.compressedSize === U32_MAX) entry.compressedSize = next();
      if (entry.localHeaderOffset === U32_MAX) entry.localHeaderOffset = next();
      return;
    }
    pos += 4 + length;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  if (position < 0 || length < 0) throw unreadableZip('it declares offsets outside the file');
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function unreadableZip(why: string): FileError {
  return new FileError(
    'unreadable',
    `The file looks like a zip archive (XLSX) but ${why}. Open it in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
    { why },
  );
}
