import type { FileHandle } from 'node:fs/promises';
import { readXmlEntry } from './parse-xml-entry.js';
import type { ZipEntry } from './read-zip-directory.js';

/**
 * Built-in number formats that show a date or a time: 14-22 and 45-47 everywhere, 27-36 and
 * 50-58 in the East Asian locales (their format code is not written in the file).
 */
const BUILT_IN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51,
  52, 53, 54, 55, 56, 57, 58,
]);

/**
 * Reads `xl/styles.xml` for one thing only: which cell styles (the `s` attribute of a cell,
 * an index into `cellXfs`) show numbers as dates. Entry `i` is true when style `i` does.
 */
export async function readDateStyles(file: FileHandle, entry: ZipEntry): Promise<boolean[]> {
  const formats = new Map<number, string>();
  const styleFormats: number[] = [];
  let inCellXfs = false;
  await readXmlEntry(file, entry, {
    open(name, attributes) {
      if (name === 'numFmt' && attributes.numFmtId !== undefined) {
        formats.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
      } else if (name === 'cellXfs') {
        inCellXfs = true;
      } else if (name === 'xf' && inCellXfs) {
        styleFormats.push(Number(attributes.numFmtId ?? 0));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return styleFormats.map((id) => {
    const code = formats.get(id);
    return code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormat(code);
  });
}

/**
 * Whether a number format code shows a date or a time: a date or time letter outside quoted
 * text, `[...]` sections (colours, locales, elapsed-time brackets aside) and escaped characters.
 * Exceljs' rule, except that it is case-insensitive (`YYYY-MM-DD` is a date too) and that
 * `\m`-style escapes are literal text, not date parts.
 */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*]/g, '')
    .replace(/[\\_*]./g, '');
  return /[ymdhsb]/i.test(bare);
}
