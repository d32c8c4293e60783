import type { FileHandle } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';
import type { SaxesTagPlain } from 'saxes';
import { FileError, FileLimitError } from './file-error.js';
import { DEFAULT_FILE_LIMITS } from './file-limits.js';
import type { ZipEntry } from './read-zip-directory.js';
import { readZipEntry } from './read-zip-entry.js';

/** What an XML part's handlers receive: element names without their namespace prefix. */
export interface XmlHandlers {
  open(name: string, attributes: Record<string, string>): void;
  text?(text: string): void;
  close?(name: string): void;
}

/**
 * Streams one XML part of a zip through saxes (positions off: about 60 MB/s on the test
 * machine), calling `handlers` synchronously and yielding after each inflated chunk so the
 * caller can hand over what they collected. Malformed or truncated XML is `unreadable`.
 * What saxes buffers between two chunks is bounded ({@link checkParserBuffers}): a text longer
 * than any cell within `maxCellLength` can be, or a forged nesting or attribute list, fails
 * before it is held.
 */
export async function* parseXmlEntry(
  file: FileHandle,
  entry: ZipEntry,
  handlers: XmlHandlers,
  maxCellLength = DEFAULT_FILE_LIMITS.maxCellLength,
): AsyncGenerator<void> {
  const parser = createParser(handlers);
  let decoder: TextDecoder | undefined;
  for await (const chunk of readZipEntry(file, entry)) {
    const utf = (decoder ??= new TextDecoder(encodingOf(chunk)));
    feed(entry, () => parser.write(utf.decode(chunk, { stream: true })));
    checkParserBuffers(parser, entry, maxCellLength);
    yield;
  }
  feed(entry, () => parser.write(decoder?.decode() ?? '').close());
}

/** Reads a whole (small) XML part through `handlers`. */
export async function readXmlEntry(
  file: FileHandle,
  entry: ZipEntry,
  handlers: XmlHandlers,
  maxCellLength?: number,
): Promise<void> {
  for await (const _ of parseXmlEntry(file, entry, handlers, maxCellLength)) {
    // the handlers collect
  }
}

type Options = { position: false; xmlns: false };

function createParser(handlers: XmlHandlers): SaxesParser<Options> {
  const parser = new SaxesParser<Options>({ position: false, xmlns: false });
  parser.on('opentag', (tag: SaxesTagPlain) => handlers.open(localName(tag.name), tag.attributes));
  const { text, close } = handlers;
  if (text) parser.on('text', (value) => text.call(handlers, value));
  if (text) parser.on('cdata', (value) => text.call(handlers, value));
  if (close)
    parser.on('closetag', (tag: SaxesTagPlain) => close.call(handlers, localName(tag.name)));
  return parser;
}

function feed(entry: ZipEntry, write: () => void): void {
  try {
    write();
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError(
      'unreadable',
      `The workbook part ${entry.name} is not well-formed XML (${(error as Error).message}). Open the file in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
      { entry: entry.name },
      { cause: error },
    );
  }
}

/**
 * Saxes' own buffers, read after each chunk (saxes 6 keeps them as plain fields; a test feeds a
 * forged text so a renamed field is noticed). Saxes gathers a whole text, comment, CDATA section,
 * name or entity before it calls a handler, and a whole attribute list and the open elements:
 * a 1 GB text node, or millions of attributes, would be held whole otherwise.
 */
interface SaxesBuffers {
  text: string;
  name: string;
  entity: string;
  piTarget: string;
  tags: unknown[];
  attribList: unknown[];
}

/** Elements open at once in a workbook part: a sheet nests 5 or 6 deep (rich text in a cell). */
const MAX_DEPTH = 64;
/** Attributes of one element: a `<row>` or `<c>` has under 15. */
const MAX_ATTRIBUTES = 256;
/** Raw characters per character of text: a numeric reference (`&#x1F600;`) takes up to ~10. */
const RAW_PER_CHARACTER = 16;

function checkParserBuffers(
  parser: SaxesParser<Options>,
  entry: ZipEntry,
  maxCellLength: number,
): void {
  const buffers = parser as unknown as SaxesBuffers;
  const limit = RAW_PER_CHARACTER * maxCellLength + 1024;
  const longest = Math.max(
    buffers.text.length,
    buffers.name.length,
    buffers.entity.length,
    buffers.piTarget.length,
  );
  if (longest > limit) {
    throw new FileLimitError(
      'cell_too_long',
      `The workbook part ${entry.name} holds a text of more than ${limit.toLocaleString('en-US')} characters of XML, longer than any cell within the limit of ${maxCellLength.toLocaleString('en-US')} characters (maxCellLength) can be. Shorten the cell, or open the file in Excel or LibreOffice and save it again.`,
      { limit: maxCellLength, actual: longest, option: 'maxCellLength', entry: entry.name },
    );
  }
  if (buffers.tags.length > MAX_DEPTH || buffers.attribList.length > MAX_ATTRIBUTES) {
    throw new FileError(
      'unreadable',
      `The workbook part ${entry.name} nests more than ${MAX_DEPTH} elements or gives one more than ${MAX_ATTRIBUTES} attributes, which no spreadsheet does. Open the file in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
      { entry: entry.name },
    );
  }
}

/** `x:row` and `row` alike: some writers prefix the SpreadsheetML namespace. */
function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** OOXML parts are UTF-8, or UTF-16 with a byte order mark. */
function encodingOf(first: Buffer): string {
  if (first[0] === 0xff && first[1] === 0xfe) return 'utf-16le';
  if (first[0] === 0xfe && first[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}
