import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A request as received, in the shape SigV4 canonicalisation needs. */
export interface SignableRequest {
  method: string;
  /** Path and query as sent, e.g. `/paapi5/searchitems` or `/?Param2=value2&Param1=value1`. */
  url: string;
  /** Raw header pairs as received (duplicates kept), any case. */
  rawHeaders: [string, string][];
  body: Buffer | string;
}

/** The parsed `Authorization: AWS4-HMAC-SHA256 …` header. */
export interface ParsedAuthorization {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const sha256Hex = (data: Buffer | string): string =>
  createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalPath(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((seg) => uriEncode(safeDecode(seg)))
    .join('/');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    return [uriEncode(safeDecode(k.replace(/\+/g, ' '))), uriEncode(safeDecode(v))] as const;
  });
  pairs.sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalHeaders(raw: [string, string][], signed: string[]): string {
  const values = new Map<string, string[]>();
  for (const [name, value] of raw) {
    const key = name.toLowerCase();
    const list = values.get(key) ?? [];
    list.push(value.trim().replace(/\s+/g, ' '));
    values.set(key, list);
  }
  return signed.map((h) => `${h}:${(values.get(h) ?? []).join(',')}\n`).join('');
}

/** The SigV4 canonical request (lines joined by `\n`). */
export function canonicalRequest(req: SignableRequest, signedHeaders: string[]): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  return [
    req.method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(query),
    canonicalHeaders(req.rawHeaders, signedHeaders),
    signedHeaders.join(';'),
    sha256Hex(req.body),
  ].join('\n');
}

/** The SigV4 string to sign. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** The SigV4 signing key: HMAC chain over date, region, service, `aws4_request`. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** Hex SHA-256 of a payload (exported for tests and docs). */
export function payloadHash(body: Buffer | string): string {
  return sha256Hex(body);
}

/** Parses an Authorization header; undefined when it is not a complete SigV4 header. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header) return undefined;
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header.trim());
  if (!m?.[1]) return undefined;
  const parts = new Map<string, string>();
  for (const piece of m[1].split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const cred = parts.get('Credential')?.split('/');
  const signed = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!cred || cred.length !== 5 || cred[4] !== 'aws4_request' || !signed || !signature)
    return undefined;
  const [accessKey, date, region, service] = cred as [string, string, string, string];
  return { accessKey, date, region, service, signedHeaders: signed.split(';'), signature };
}

/** Computes the hex signature of a request for a parsed Authorization and a secret. */
export function computeSignature(
  req: SignableRequest,
  auth: ParsedAuthorization,
  secret: string,
  amzDate: string,
): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const sts = stringToSign(amzDate, scope, canonicalRequest(req, auth.signedHeaders));
  const key = signingKey(secret, auth.date, auth.region, auth.service);
  return createHmac('sha256', key).update(sts, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures. */
export function signaturesMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses `YYYYMMDDTHHMMSSZ` into epoch ms, or NaN. */
export function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}
