import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { FileError } from './file-error.js';
import { readXmlEntry } from './parse-xml-entry.js';
import { readDateStyles } from './read-xlsx-styles.js';
import type { ZipEntry } from './read-zip-directory.js';

/** One sheet of a workbook, in workbook order. */
export interface XlsxSheet {
  name: string;
  /** `visible`, `hidden` or `veryHidden`. */
  state: string;
  /** The part holding its cells; undefined for a chart sheet or a part missing from the zip. */
  entry: ZipEntry | undefined;
}

/** What is read of a workbook before any of its sheets. */
export interface XlsxWorkbook {
  sheets: XlsxSheet[];
  sharedStrings: ZipEntry | undefined;
  /** Entry `s` is true when cell style `s` shows numbers as dates. */
  dateStyles: boolean[];
  date1904: boolean;
}

interface Relationship {
  type: string;
  target: string;
}

/**
 * Reads the workbook's sheet list (`xl/workbook.xml`), where each sheet's part is
 * (`xl/_rels/workbook.xml.rels`) and the date styles (`xl/styles.xml`). These parts are
 * small; each is found through the zip directory wherever it lies in the archive.
 */
export async function readXlsxWorkbook(
  file: FileHandle,
  entries: ZipEntry[],
): Promise<XlsxWorkbook> {
  const find = entryFinder(entries);
  const workbookEntry = find('xl/workbook.xml');
  if (!workbookEntry) {
    throw new FileError('unreadable', 'The workbook has no xl/workbook.xml part.', {});
  }
  const { sheets, date1904 } = await readSheetList(file, workbookEntry);
  // Without relationships (not valid, but cheap to allow), sheet N is xl/worksheets/sheetN.xml.
  const relsEntry = find('xl/_rels/workbook.xml.rels');
  const rels = relsEntry
    ? await readRelationships(file, relsEntry)
    : new Map<string, Relationship>();
  const partOf = (type: string, fallback: string): ZipEntry | undefined => {
    const rel = [...rels.values()].find((r) => r.type.endsWith(`/${type}`));
    return find(rel ? rel.target : fallback);
  };
  const stylesEntry = partOf('styles', 'xl/styles.xml');
  return {
    sheets: sheets.map((sheet, i) => {
      const path = relsEntry
        ? worksheetPath(rels, sheet.relationId)
        : `xl/worksheets/sheet${i + 1}.xml`;
      return { name: sheet.name, state: sheet.state, entry: path ? find(path) : undefined };
    }),
    sharedStrings: partOf('sharedStrings', 'xl/sharedStrings.xml'),
    dateStyles: stylesEntry ? await readDateStyles(file, stylesEntry) : [],
    date1904,
  };
}

async function readSheetList(
  file: FileHandle,
  entry: ZipEntry,
): Promise<{ sheets: { name: string; state: string; relationId?: string }[]; date1904: boolean }> {
  const sheets: { name: string; state: string; relationId?: string }[] = [];
  let date1904 = false;
  await readXmlEntry(file, entry, {
    open(name, attributes) {
      if (name === 'sheet') {
        // The relationship id is `r:id`, whatever prefix the file binds to its namespace.
        const idKey = Object.keys(attributes).find((key) => key.endsWith(':id'));
        sheets.push({
          name: attributes.name ?? `Sheet${sheets.length + 1}`,
          state: attributes.state ?? 'visible',
          ...(idKey === undefined ? {} : { relationId: attributes[idKey] }),
        });
      } else if (name === 'workbookPr') {
        date1904 = attributes.date1904 === '1' || attributes.date1904 === 'true';
      }
    },
  });
  return { sheets, date1904 };
}

async function readRelationships(
  file: FileHandle,
  entry: ZipEntry,
): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  await readXmlEntry(file, entry, {
    open(name, attributes) {
      if (name !== 'Relationship' || attributes.Id === undefined || !attributes.Target) return;
      if (attributes.TargetMode === 'External') return;
      rels.set(attributes.Id, { type: attributes.Type ?? '', target: partPath(attributes.Target) });
    },
  });
  return rels;
}

/** The part of a worksheet; undefined for a chart or dialog sheet. */
function worksheetPath(
  rels: Map<string, Relationship>,
  relationId: string | undefined,
): string | undefined {
  const rel = relationId === undefined ? undefined : rels.get(relationId);
  return rel?.type.endsWith('/worksheet') ? rel.target : undefined;
}

/** A relationship target as a zip entry name: relative to `xl/`, or absolute from the root. */
function partPath(target: string): string {
  const path = target.startsWith('/') ? target.slice(1) : posix.join('xl', target);
  return posix.normalize(path);
}

/** Looks up an entry by name, exactly or else ignoring case (some writers differ in case). */
function entryFinder(entries: ZipEntry[]): (name: string) => ZipEntry | undefined {
  const exact = new Map(entries.map((e) => [e.name, e]));
  const folded = new Map(entries.map((e) => [e.name.toLowerCase(), e]));
  return (name) => exact.get(name) ?? folded.get(name.toLowerCase());
}
