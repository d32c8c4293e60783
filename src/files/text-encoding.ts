import { isUtf8 } from 'node:buffer';
import { UnsupportedFormatError } from './file-error.js';

/** Text encodings the delimited reader understands. */
export type TextEncodingName =
  'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be' | 'windows-1252';

/** The encoding of a text file and the length of its byte order mark. */
export interface DetectedEncoding {
  encoding: TextEncodingName;
  bomLength: number;
}

/**
 * Detects the encoding from the first bytes: a BOM (UTF-8, UTF-32 LE/BE, UTF-16 LE/BE; the
 * UTF-32 LE mark starts like UTF-16 LE's, so it is tested first), UTF-32 or UTF-16 without BOM
 * (by where the zero bytes fall), valid UTF-8, otherwise Windows-1252. Refuses binary content.
 */
export function detectEncoding(head: Buffer, complete: boolean): DetectedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { encoding: 'utf-8-bom', bomLength: 3 };
  }
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfeff) {
    return { encoding: 'utf-32le', bomLength: 4 };
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0xfeff) {
    return { encoding: 'utf-32be', bomLength: 4 };
  }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const wide = sniffUtf32WithoutBom(head) ?? sniffUtf16WithoutBom(head);
  if (wide) return { encoding: wide, bomLength: 0 };
  if (head.includes(0)) {
    throw new UnsupportedFormatError(
      'binary',
      'This file holds binary data, not text or a spreadsheet. Open it in the program that made it and export it as .xlsx or CSV UTF-8.',
    );
  }
  const checked = complete ? head : head.subarray(0, completeUtf8Length(head));
  return { encoding: isUtf8(checked) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/**
 * UTF-32 text: every 4-byte unit is a code point under U+110000, so its top byte is zero and,
 * for the Latin, Greek, Cyrillic… text of a codes file (under U+10000), the next one too.
 */
function sniffUtf32WithoutBom(head: Buffer): 'utf-32le' | 'utf-32be' | null {
  const units = Math.floor(Math.min(head.length, 4096) / 4);
  if (units < 4) return null;
  let le = 0;
  let be = 0;
  for (let i = 0; i < units * 4; i += 4) {
    if (head[i + 3] === 0 && head[i + 2] === 0 && head[i] !== 0) le += 1;
    if (head[i] === 0 && head[i + 1] === 0 && head[i + 3] !== 0) be += 1;
  }
  if (le > units * 0.9) return 'utf-32le';
  if (be > units * 0.9) return 'utf-32be';
  return null;
}

function sniffUtf16WithoutBom(head: Buffer): 'utf-16le' | 'utf-16be' | null {
  const sample = head.subarray(0, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i += 1) {
    if (sample[i] !== 0) continue;
    if (i % 2 === 0) evenZeros += 1;
    else oddZeros += 1;
  }
  const half = sample.length / 2;
  if (oddZeros > half * 0.4 && evenZeros < half * 0.05) return 'utf-16le';
  if (evenZeros > half * 0.4 && oddZeros < half * 0.05) return 'utf-16be';
  return null;
}

/** Length of the prefix of `bytes` that ends on a UTF-8 character boundary. */
export function completeUtf8Length(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let i = end - 1; i >= Math.max(0, end - 4); i -= 1) {
    const byte = bytes[i] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0xc0) return end;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return end - i >= needed ? end : i;
  }
  return end;
}

/** Decodes the head of a file (BOM removed) for sniffing; a split last character is dropped. */
export function decodeHead(head: Buffer, detected: DetectedEncoding): string {
  const label = detected.encoding.startsWith('utf-8') ? 'utf-8' : detected.encoding;
  return createDecoder(label).decode(head.subarray(detected.bomLength), { stream: true });
}

/** What a text decoder does here: decode a chunk, possibly carrying a split character. */
interface ChunkDecoder {
  decode(bytes?: Uint8Array, options?: { stream?: boolean }): string;
}

/** A decoder for `encoding`; UTF-32, which node's TextDecoder does not know, by {@link Utf32Decoder}. */
function createDecoder(encoding: string): ChunkDecoder {
  if (encoding === 'utf-32le' || encoding === 'utf-32be') {
    return new Utf32Decoder(encoding === 'utf-32le');
  }
  return new TextDecoder(encoding);
}

/**
 * UTF-32 to a string, 4 bytes per code point, a unit split across chunks carried to the next.
 * A unit that is no code point (over U+10FFFF, or a surrogate) becomes U+FFFD, as TextDecoder
 * does for malformed UTF-16.
 */
class Utf32Decoder implements ChunkDecoder {
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly littleEndian: boolean) {}

  decode(bytes: Uint8Array = new Uint8Array(0), options: { stream?: boolean } = {}): string {
    const all = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : Buffer.from(bytes);
    const whole = all.length - (all.length % 4);
    const points: number[] = [];
    let text = '';
    for (let i = 0; i < whole; i += 4) {
      const point = this.littleEndian ? all.readUInt32LE(i) : all.readUInt32BE(i);
      const valid = point <= 0x10ffff && (point < 0xd800 || point > 0xdfff);
      points.push(valid ? point : 0xfffd);
      // Spread in slices: String.fromCodePoint over a whole 64 KB chunk's arguments at once
      // is fine, but not over an unbounded array.
      if (points.length === 8192) text += String.fromCodePoint(...points.splice(0));
    }
    text += String.fromCodePoint(...points);
    this.carry = Buffer.from(all.subarray(whole));
    if (!options.stream && this.carry.length > 0) {
      this.carry = Buffer.alloc(0);
      text += '\ufffd';
    }
    return text;
  }
}

/**
 * Turns the raw bytes of a text file into UTF-8 bytes for the CSV parser. UTF-8 input is
 * passed through untouched after a `buffer.isUtf8` check: on a 66 MB file that costs 3 ms,
 * where decoding to a string and encoding back cost 680 ms. When a chunk is not valid UTF-8
 * (a Windows-1252 accent after the first 64 KB), the rest of the file is read as Windows-1252
 * and `onFallback` is called.
 */
export async function* toUtf8Chunks(
  source: AsyncIterable<Buffer>,
  encoding: TextEncodingName,
  onFallback: () => void,
): AsyncGenerator<Buffer> {
  let decoder: ChunkDecoder | null = encoding.startsWith('utf-8') ? null : createDecoder(encoding);
  let carry: Buffer | null = null;
  for await (const raw of source) {
    if (decoder) {
      yield Buffer.from(decoder.decode(raw, { stream: true }), 'utf8');
      continue;
    }
    const bytes: Buffer = carry ? Buffer.concat([carry, raw]) : raw;
    const cut = completeUtf8Length(bytes);
    const whole = bytes.subarray(0, cut);
    if (isUtf8(whole)) {
      carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : null;
      yield whole;
      continue;
    }
    decoder = new TextDecoder('windows-1252');
    carry = null;
    onFallback();
    yield Buffer.from(decoder.decode(bytes, { stream: true }), 'utf8');
  }
  if (carry) yield Buffer.from(new TextDecoder('windows-1252').decode(carry), 'utf8');
  if (decoder) {
    const rest = decoder.decode();
    if (rest) yield Buffer.from(rest, 'utf8');
  }
}
