import { extname } from 'node:path';

/** Longest file name kept (characters), extension included. */
export const MAX_FILE_NAME_LENGTH = 200;

/**
 * A client-supplied file name made safe to store, show and use as a temp file name: the last
 * path segment only (either slash), no control or bidi characters, no leading dots, trimmed,
 * capped at 200 characters with the extension kept. `upload` when nothing is left.
 */
export function sanitizeFileName(raw: string | undefined | null, fallback = 'upload'): string {
  const last =
    String(raw ?? '')
      .split(/[\\/]/)
      .pop() ?? '';
  const cleaned = last
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  if (cleaned === '') return fallback;
  if (cleaned.length <= MAX_FILE_NAME_LENGTH) return cleaned;
  const ext = extname(cleaned).slice(0, 16);
  return cleaned.slice(0, MAX_FILE_NAME_LENGTH - ext.length) + ext;
}

/**
 * A `Content-Disposition: attachment` value: an ASCII fallback name (anything else becomes
 * `_`) and the UTF-8 name (RFC 6266 / RFC 5987) for clients that read it.
 */
export function attachmentDisposition(fileName: string): string {
  const safe = sanitizeFileName(fileName, 'results');
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(safe)}`;
}
