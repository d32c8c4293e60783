import type { FileHandle } from 'node:fs/promises';
import { FileLimitError } from './file-error.js';
import { formatBytes } from './file-limits.js';
import type { FileLimits } from './file-limits.js';
import { readXmlEntry } from './parse-xml-entry.js';
import type { ZipEntry } from './read-zip-directory.js';
import { SharedStringTable } from './shared-string-table.js';

/** The shared strings of a workbook. */
export interface SharedStrings {
  table: SharedStringTable;
  /**
   * Lengths of the strings longer than the cell length limit, which are not kept (stored
   * empty): reading a cell that uses one fails with its real length.
   */
  overLong: Map<number, number>;
}

/**
 * The smallest cell that uses a shared string, `<c t="s"><v>0</v></c>`, in bytes: a workbook's
 * worksheets can use at most their size over this many strings.
 */
const SMALLEST_STRING_CELL_BYTES = 21;
/** Bytes a kept string costs besides its characters: its offset in the table. */
const OFFSET_BYTES = 4;
// eslint-disable-next-line no-control-regex
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * Reads `xl/sharedStrings.xml` into a compact table. An entry is the text of its `<t>`
 * elements, rich text runs joined; phonetic guides (`<rPh>`, furigana) are left out.
 *
 * Bounded as it is read (`too_many_strings`), since the table is held while the sheet is read:
 * at most as many strings as the workbook's worksheets (`sheetBytes`, inflated) have cells to use
 * them, and at most `maxSharedStringBytes` kept (4 bytes per string plus its characters, counted
 * twice beyond Latin-1, which V8 then stores in two bytes each). Without it, 8,000,000 strings
 * no cell used cost 114 MB.
 */
export async function readSharedStrings(
  file: FileHandle,
  entry: ZipEntry,
  limits: Pick<FileLimits, 'maxCellLength' | 'maxSharedStringBytes'>,
  sheetBytes: number,
): Promise<SharedStrings> {
  const { maxCellLength } = limits;
  const strings: SharedStrings = { table: new SharedStringTable(), overLong: new Map() };
  const usable = Math.floor(sheetBytes / SMALLEST_STRING_CELL_BYTES);
  let kept = 0;
  let text = '';
  let length = 0;
  let inText = false;
  let phonetic = 0;
  const add = (value: string): void => {
    kept += OFFSET_BYTES + (BEYOND_LATIN1.test(value) ? 2 : 1) * value.length;
    if (strings.table.size >= usable) throw moreThanUsable(usable, sheetBytes);
    if (kept > limits.maxSharedStringBytes) throw overBudget(limits.maxSharedStringBytes, kept);
    strings.table.add(value);
  };
  await readXmlEntry(
    file,
    entry,
    {
      open(name) {
        if (name === 'si') {
          text = '';
          length = 0;
        } else if (name === 'rPh') {
          phonetic += 1;
        } else if (name === 't') {
          inText = phonetic === 0;
        }
      },
      text(value) {
        if (!inText) return;
        length += value.length;
        if (length <= maxCellLength) text += value;
      },
      close(name) {
        if (name === 't') {
          inText = false;
        } else if (name === 'rPh') {
          phonetic -= 1;
        } else if (name === 'si') {
          if (length > maxCellLength) strings.overLong.set(strings.table.size, length);
          add(length > maxCellLength ? '' : text);
        }
      },
    },
    maxCellLength,
  );
  return strings;
}

function moreThanUsable(usable: number, sheetBytes: number): FileLimitError {
  return new FileLimitError(
    'too_many_strings',
    `The workbook's shared strings table (xl/sharedStrings.xml) holds more than ${usable.toLocaleString('en-US')} strings, more than the cells of its worksheets (${formatBytes(sheetBytes)} of XML) can use: the file is damaged or forged. Open it in Excel or LibreOffice and save it again as .xlsx or CSV UTF-8.`,
    { limit: usable, actual: usable + 1, option: 'sheet size' },
  );
}

function overBudget(limit: number, actual: number): FileLimitError {
  return new FileLimitError(
    'too_many_strings',
    `The workbook's shared strings (the distinct texts of its cells) take more than ${formatBytes(limit)} (maxSharedStringBytes), more than is held in memory while a sheet is read. Save the sheet as CSV UTF-8 (read as a stream, without this limit), or split it into smaller files.`,
    { limit, actual, option: 'maxSharedStringBytes' },
  );
}
