import { randomBytes } from 'node:crypto';
import { buildZip } from '../files/helpers/build-zip.js';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './http-helpers.js';

/** Prefix of the Code2ASIN routes. */
export const BASE = '/api/v1/code2asin';

/** Valid EAN-13 codes of the demo file (`examples/codes.csv`). */
export const SAMPLE_CODES = ['3017620422003', '3070123456784', '3086123000018', '3760123450010'];

export interface FormFile {
  name: string;
  content: Buffer | string;
  field?: string;
  type?: string;
}

/** A multipart/form-data body for `app.inject`: fields (repeatable) and files. */
export function multipartBody(
  fields: readonly [string, string][],
  files: readonly FormFile[] = [],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----c2a${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'file'}"; filename="${f.name}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** `POST /jobs` with a multipart form. */
export function upload(
  t: TestApp,
  fields: readonly [string, string][],
  files: readonly FormFile[],
  token?: string,
): Promise<LightMyRequestResponse> {
  const body = multipartBody(fields, files);
  return t.call({ method: 'POST', url: `${BASE}/jobs`, token, ...body });
}

/** `POST /jobs` with a JSON body; returns the answer. */
export function createByJson(
  t: TestApp,
  body: Record<string, unknown>,
  token?: string,
): Promise<LightMyRequestResponse> {
  return t.call({ method: 'POST', url: `${BASE}/jobs`, token, payload: body });
}

/** Creates a job by JSON and returns its id (asserting 201). */
export async function jobId(
  t: TestApp,
  body: Record<string, unknown>,
  token?: string,
): Promise<string> {
  const res = await createByJson(t, { marketplaces: ['fr'], ...body }, token);
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** A zip archive with stored (uncompressed) entries, e.g. an ODS look-alike. */
export function storedZip(entries: Record<string, string>): Buffer {
  return buildZip(
    Object.entries(entries).map(([name, text]) => ({ name, data: Buffer.from(text), store: true })),
  );
}
