import type { MultipartFile, MultipartValue } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FAULT_RETRY_AFTER_SECONDS } from '../../db/db-fault.js';
import { formatBytes } from '../../files/index.js';
import { HttpError } from '../http-error.js';
import { sanitizeFileName } from './file-name.js';

/** The form fields `POST /jobs` accepts besides `file` (the rest goes in `options`). */
export const UPLOAD_FIELDS = [
  'name',
  'supplier_code',
  'marketplaces',
  'use_amazon_api',
  'options',
  'column',
] as const;

/** A multipart request read to the end: its fields and the file, stored in a temp folder. */
export interface ReceivedUpload {
  fields: Map<string, string[]>;
  file: { path: string; name: string } | null;
  /** Removes the temp folder and the file in it; idempotent. */
  cleanup(): Promise<void>;
}

const MAX_FIELD_BYTES = 1024 * 1024;

/** A 400 naming the form field and the problem, shaped like the schema validation errors. */
export function fieldError(field: string, problem: string, location = 'body'): HttpError {
  return new HttpError(
    400,
    'validation_failed',
    `Invalid request: ${location} "${field}" ${problem}. See /api/docs for the expected shape.`,
    { issues: [{ location, field, problem }], field },
  );
}

/** The 413 of an upload over the limit; the limit is named in bytes and MB. */
export function uploadTooLarge(limitBytes: number): HttpError {
  return new HttpError(
    413,
    'too_large',
    `The file is larger than the upload limit of ${formatBytes(limitBytes)}; split it, or raise CODE2ASIN_UPLOAD_LIMIT_MB.`,
    { limit: limitBytes, option: 'CODE2ASIN_UPLOAD_LIMIT_MB' },
  );
}

/**
 * Reads a multipart request part by part. The file is streamed to a fresh folder under the OS
 * temp dir (never held whole in memory) and cut at `limitBytes`: over it, the folder is removed
 * and a 413 thrown, so nothing is kept. On any error the folder is removed before throwing.
 */
export async function receiveUpload(
  request: FastifyRequest,
  limitBytes: number,
): Promise<ReceivedUpload> {
  const dir = await mkdtemp(join(tmpdir(), 'c2a-upload-')).catch((error: unknown) => {
    throw translateMultipartError(error, limitBytes);
  });
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const fields = new Map<string, string[]>();
  let file: ReceivedUpload['file'] = null;
  try {
    const parts = request.parts({
      limits: { fileSize: limitBytes, files: 1, fields: 40, parts: 41, fieldSize: MAX_FIELD_BYTES },
    });
    for await (const part of parts) {
      if (part.type === 'file') file = await storeFilePart(part, dir, limitBytes);
      else storeField(part, fields);
    }
    return { fields, file, cleanup };
  } catch (error) {
    await cleanup();
    throw translateMultipartError(error, limitBytes);
  }
}

async function storeFilePart(
  part: MultipartFile,
  dir: string,
  limitBytes: number,
): Promise<{ path: string; name: string }> {
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw fieldError(part.fieldname, 'is not a known file field: send the file as "file"');
  }
  const name = sanitizeFileName(part.filename);
  const path = join(dir, name);
  await pipeline(part.file, createWriteStream(path));
  if (part.file.truncated) throw uploadTooLarge(limitBytes);
  return { path, name };
}

function storeField(part: MultipartValue, fields: Map<string, string[]>): void {
  const name = part.fieldname;
  if (name === 'file') throw fieldError('file', 'must be a file part (curl -F "file=@codes.csv")');
  if (!(UPLOAD_FIELDS as readonly string[]).includes(name)) {
    throw fieldError(
      name,
      `is not a known field: send ${UPLOAD_FIELDS.join(', ')} and file; other job options go in "options" as JSON`,
    );
  }
  if (part.valueTruncated) throw fieldError(name, `is longer than ${MAX_FIELD_BYTES} bytes`);
  fields.set(name, [...(fields.get(name) ?? []), String(part.value)]);
}

/** The multipart parser's own errors, as answers that say what to do. */
function translateMultipartError(error: unknown, limitBytes: number): unknown {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return uploadTooLarge(limitBytes);
    case 'FST_FILES_LIMIT':
      return fieldError('file', 'is given more than once: send one file per job');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new HttpError(400, 'too_many_fields', 'The form has too many fields; see /api/docs.');
    case 'FST_MP_PREMATURE_CLOSE':
      return new HttpError(
        400,
        'upload_incomplete',
        'The upload ended before the form was complete; send it again.',
      );
    case 'FST_PROTO_VIOLATION':
      return fieldError('(form)', 'uses a reserved field name');
    case 'ENOSPC':
    case 'EDQUOT':
      return tempFolderFull();
    default:
      return isParserError(error)
        ? new HttpError(
            400,
            'invalid_multipart',
            'The body is not a readable multipart/form-data form; send it with curl -F or a FormData.',
          )
        : error;
  }
}

/**
 * The file is received in the OS temp folder (TMPDIR) before it is read: when that volume is
 * full, the upload is refused as a full database is (507 `disk_full`), naming the folder.
 */
function tempFolderFull(): HttpError {
  const seconds = FAULT_RETRY_AFTER_SECONDS;
  return new HttpError(
    507,
    'disk_full',
    `The upload was not stored: the temporary folder uploads are received in (${tmpdir()}, TMPDIR) is full. Nothing was kept; free space there, or point TMPDIR at a larger volume, and send it again.`,
    { volume: 'temp', path: tmpdir(), retry_after_seconds: seconds },
    { 'retry-after': String(seconds) },
  );
}

/** Busboy's own errors carry no code; file-system errors carry an errno and stay 5xx. */
function isParserError(error: unknown): boolean {
  return error instanceof Error && !(error instanceof HttpError) && !('errno' in error);
}
