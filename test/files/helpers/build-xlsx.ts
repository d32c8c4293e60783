import { buildZip } from './build-zip.js';
import type { ZipSpec } from './build-zip.js';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** One sheet of a hand-built workbook: the XML inside `<sheetData>`, or a chart sheet. */
export interface SheetSpec {
  name: string;
  state?: 'hidden' | 'veryHidden';
  /** Rows as XML (`<row r="1">...</row>...`). */
  rows?: string;
  chart?: boolean;
}

export interface XlsxSpec {
  sheets: SheetSpec[];
  /** `<si>` elements of xl/sharedStrings.xml (plain strings become `<si><t>...</t></si>`). */
  sharedStrings?: string[];
  /** `<numFmts>` and `<cellXfs>` of xl/styles.xml. */
  styles?: string;
  date1904?: boolean;
  /** Zip entries after the workbook parts, in this order (default: sheets, then shared strings). */
  order?: 'sheets-first' | 'strings-first';
  /** Changes an entry before zipping (a lying size, a truncation). */
  tamper?: (entry: ZipSpec) => ZipSpec;
}

/**
 * Builds an XLSX byte by byte, so the tests control what exceljs' writer never produces:
 * inline rich text, phonetic runs, missing `r` attributes, prefixed elements, chart sheets,
 * shared strings before or after the sheets.
 */
export function buildXlsx(spec: XlsxSpec): Buffer {
  const workbook = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr${spec.date1904 ? ' date1904="1"' : ''}/><sheets>${spec.sheets
    .map(
      (s, i) =>
        `<sheet name="${s.name}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ''} r:id="rId${i + 1}"/>`,
    )
    .join('')}</sheets></workbook>`;
  const rels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${spec.sheets
    .map((s, i) =>
      s.chart
        ? `<Relationship Id="rId${i + 1}" Type="${REL}/chartsheet" Target="chartsheets/sheet${i + 1}.xml"/>`
        : `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
    )
    .join(
      '',
    )}<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rIdT" Type="${REL}/styles" Target="/xl/styles.xml"/></Relationships>`;
  const sheets: ZipSpec[] = spec.sheets.map((s, i) =>
    s.chart
      ? {
          name: `xl/chartsheets/sheet${i + 1}.xml`,
          data: Buffer.from(`<chartsheet xmlns="${MAIN}"/>`),
        }
      : {
          name: `xl/worksheets/sheet${i + 1}.xml`,
          data: Buffer.from(
            `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${s.rows ?? ''}</sheetData></worksheet>`,
          ),
        },
  );
  const parts: ZipSpec[] = [];
  if (spec.sharedStrings) {
    const items = spec.sharedStrings.map((s) => (s.startsWith('<') ? s : `<si><t>${s}</t></si>`));
    parts.push({
      name: 'xl/sharedStrings.xml',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}" uniqueCount="${items.length}">${items.join('')}</sst>`,
      ),
    });
  }
  const ordered = spec.order === 'strings-first' ? [...parts, ...sheets] : [...sheets, ...parts];
  const entries: ZipSpec[] = [
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    ...ordered,
    { name: 'xl/workbook.xml', data: Buffer.from(workbook) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(rels) },
    {
      name: 'xl/styles.xml',
      data: Buffer.from(`<styleSheet xmlns="${MAIN}">${spec.styles ?? ''}</styleSheet>`),
    },
  ];
  return buildZip(entries.map(spec.tamper ?? ((e) => e)));
}
