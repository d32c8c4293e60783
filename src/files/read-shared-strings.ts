import type { FileHandle } from 'node:fs/promises';
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
 * Reads `xl/sharedStrings.xml` into a compact table. An entry is the text of its `<t>`
 * elements, rich text runs joined; phonetic guides (`<rPh>`, furigana) are left out.
 */
export async function readSharedStrings(
  file: FileHandle,
  entry: ZipEntry,
  maxCellLength: number,
): Promise<SharedStrings> {
  const strings: SharedStrings = { table: new SharedStringTable(), overLong: new Map() };
  let text = '';
  let length = 0;
  let inText = false;
  let phonetic = 0;
  await readXmlEntry(file, entry, {
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
        strings.table.add(length > maxCellLength ? '' : text);
      }
    },
  });
  return strings;
}
