import type { FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { FileError } from './file-error.js';
import type { ZipEntry } from './read-zip-directory.js';

const LOCAL_SIGNATURE = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/**
 * Streams the uncompressed bytes of one zip entry, read at its offset in the file (random
 * access: the order of the entries in the archive does not matter). Stops with a `zip_bomb`
 * error as soon as the entry inflates beyond the size its directory declares, since the
 * declared sizes are what the zip-bomb check accepted.
 */
export async function* readZipEntry(
  file: FileHandle,
  entry: ZipEntry,
  chunkSize = 64 * 1024,
): AsyncGenerator<Buffer> {
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    throw unreadableEntry(entry, `it is compressed with method ${entry.method}`);
  }
  if (entry.compressedSize === 0) return;
  const start = await dataOffset(file, entry);
  const compressed = readRange(file, entry, start, chunkSize);
  // Read through the FileHandle, not a ReadStream on it: destroying such a stream (to stop
  // early) closes the handle, which the caller still uses for the next part.
  const stream =
    entry.method === STORED
      ? Readable.from(compressed, { objectMode: false })
      : pipeline(
          Readable.from(compressed, { objectMode: false }),
          createInflateRaw({ chunkSize }),
          () => {
            // Errors reach the consumer through the iteration of the inflate stream.
          },
        );
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > entry.uncompressedSize) throw inflatesBeyondDeclared(entry);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw unreadableEntry(entry, (error as Error).message, error);
  } finally {
    stream.destroy();
  }
}

/** The entry's stored bytes, in chunks. */
async function* readRange(
  file: FileHandle,
  entry: ZipEntry,
  start: number,
  chunkSize: number,
): AsyncGenerator<Buffer> {
  const end = start + entry.compressedSize;
  for (let position = start; position < end;) {
    const buffer = Buffer.allocUnsafe(Math.min(chunkSize, end - position));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) throw unreadableEntry(entry, 'the file ends inside it');
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Where the entry's data starts: after its local header, whose name and extra lengths may differ from the directory's. */
async function dataOffset(file: FileHandle, entry: ZipEntry): Promise<number> {
  const header = Buffer.alloc(30);
  const { bytesRead } = await file.read(header, 0, 30, entry.localHeaderOffset);
  if (bytesRead < 30 || header.readUInt32LE(0) !== LOCAL_SIGNATURE) {
    throw unreadableEntry(entry, 'its local header is missing');
  }
  if ((header.readUInt16LE(6) & 0x1) !== 0) throw unreadableEntry(entry, 'it is encrypted');
  return entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

function inflatesBeyondDeclared(entry: ZipEntry): FileError {
  return new FileError(
    'zip_bomb',
    `The workbook part ${entry.name} inflates to more than the ${entry.uncompressedSize.toLocaleString('en-US')} bytes its archive declares: the file is damaged or forged. Open it in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
    { entry: entry.name, declaredBytes: entry.uncompressedSize },
  );
}

function unreadableEntry(entry: ZipEntry, why: string, cause?: unknown): FileError {
  return new FileError(
    'unreadable',
    `The workbook part ${entry.name} cannot be read (${why}). Open the file in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
    { entry: entry.name, why },
    { cause },
  );
}
