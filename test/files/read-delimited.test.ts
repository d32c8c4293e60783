import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { FileLimitError, openTable } from '../../src/files/index.js';
import type { OpenTableOptions } from '../../src/files/index.js';
import { collect, createTempDir, ean13, writeText, writeUtf16 } from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());

async function read(path: string, options?: OpenTableOptions) {
  const table = await openTable(path, options);
  return { detection: table.detection, rows: await collect(table.rows) };
}

const ACCENTED = `EAN;Désignation;Marque\r\n${ean13(1)};Crème brûlée;Café Noël\r\n${ean13(2)};Pâte à tartiner;Ü\r\n`;

describe('delimited text: encodings', () => {
  it('reads UTF-8 without BOM', async () => {
    const { detection, rows } = await read(writeText(tmp.path('utf8.csv'), ACCENTED));
    assert.equal(detection.text?.encoding, 'utf-8');
    assert.deepEqual(rows[0]?.cells, [ean13(1), 'Crème brûlée', 'Café Noël']);
  });

  it('reads UTF-8 with BOM and keeps the BOM out of the first header', async () => {
    const { detection, rows } = await read(writeText(tmp.path('bom.csv'), `\uFEFF${ACCENTED}`));
    assert.equal(detection.text?.encoding, 'utf-8-bom');
    assert.equal(detection.header[0], 'EAN');
    assert.equal(detection.columns.code.by, 'header');
    assert.equal(rows[1]?.cells[1], 'Pâte à tartiner');
  });

  for (const endian of ['le', 'be'] as const) {
    it(`reads UTF-16 ${endian.toUpperCase()} with BOM (Excel "Unicode text", tab-separated)`, async () => {
      const text = ACCENTED.replace(/;/g, '\t');
      const { detection, rows } = await read(
        writeUtf16(tmp.path(`u16${endian}.txt`), text, endian),
      );
      assert.equal(detection.text?.encoding, `utf-16${endian}`);
      assert.equal(detection.text?.delimiter, '\t');
      assert.deepEqual(rows[0]?.cells, [ean13(1), 'Crème brûlée', 'Café Noël']);
    });
  }

  it('falls back to Windows-1252 when the bytes are not UTF-8', async () => {
    const bytes = Buffer.from(ACCENTED.replace('Noël', 'Noël €'), 'latin1');
    bytes[bytes.indexOf(0x20ac & 0xff)] = 0x80; // "€" is 0x80 in Windows-1252
    writeFileSync(tmp.path('cp1252.csv'), bytes);
    const { detection, rows } = await read(tmp.path('cp1252.csv'));
    assert.equal(detection.text?.encoding, 'windows-1252');
    assert.deepEqual(rows[0]?.cells, [ean13(1), 'Crème brûlée', 'Café Noël €']);
  });

  it('switches to Windows-1252 when an invalid byte appears after the first 64 KB', async () => {
    const filler = Array.from({ length: 5000 }, (_, i) => `${ean13(i)};Item ${i};Brand`).join(
      '\r\n',
    );
    const text = `EAN;Title;Brand\r\n${filler}\r\n${ean13(9999)};Crème;Brand\r\n`;
    const path = writeText(tmp.path('late.csv'), text, 'latin1');
    const table = await openTable(path);
    assert.equal(table.detection.text?.encoding, 'utf-8');
    const rows = await collect(table.rows);
    assert.equal(rows.at(-1)?.cells[1], 'Crème');
    assert.equal(table.detection.text?.encoding, 'windows-1252');
    assert.ok((table.detection.text?.encodingFallbackAfterRow ?? 0) > 1000);
  });

  it('keeps a UTF-8 character split across two 64 KB chunks', async () => {
    // 10 + 655 rows of 100 bytes = 65,510 bytes; the next row's 2-byte "é" straddles 65,536.
    const rows100 = Array.from({ length: 655 }, (_, i) => `${ean13(i)},${'x'.repeat(85)}\n`);
    const split = `${ean13(9)},${'x'.repeat(11)}${'é'.repeat(20)}\n`;
    const text = `EAN,Title\n${rows100.join('')}${split}`;
    assert.equal(Buffer.byteLength(`EAN,Title\n${rows100.join('')}`) + 14 + 11, 65_535);
    const { detection, rows } = await read(writeText(tmp.path('split.csv'), text));
    assert.equal(detection.text?.encoding, 'utf-8');
    assert.equal(rows.at(-1)?.cells[1], `${'x'.repeat(11)}${'é'.repeat(20)}`);
  });
});

describe('delimited text: delimiters, quotes, line ends', () => {
  for (const [name, delimiter] of [
    ['comma', ','],
    ['semicolon', ';'],
    ['tab', '\t'],
    ['pipe', '|'],
  ] as const) {
    it(`sniffs the ${name} delimiter`, async () => {
      const lines = [
        ['EAN', 'Title', 'Price'],
        [ean13(1), 'A', '1.5'],
        [ean13(2), 'B', '2'],
      ];
      const text = lines.map((l) => l.join(delimiter)).join('\n');
      const { detection, rows } = await read(writeText(tmp.path(`${name}.txt`), text));
      assert.equal(detection.text?.delimiter, delimiter);
      assert.deepEqual(rows[1]?.cells, [ean13(2), 'B', '2']);
    });
  }

  it('ignores delimiters inside quotes when sniffing (semicolon file with commas in titles)', async () => {
    const text = `EAN;Title;Price\n${ean13(1)};"Milk, whole, 1 L";"1,09"\n${ean13(2)};"Eggs, 6";"2,5"\n`;
    const { detection, rows } = await read(writeText(tmp.path('quoted.csv'), text));
    assert.equal(detection.text?.delimiter, ';');
    assert.deepEqual(rows[0]?.cells, [ean13(1), 'Milk, whole, 1 L', '1,09']);
  });

  it('reads quoted fields with embedded newlines, doubled quotes and CRLF; numbers rows as records', async () => {
    const text = `EAN,Title\r\n${ean13(1)},"Line one\r\nline ""two"""\r\n\r\n${ean13(2)},Plain\r\n`;
    const { rows } = await read(writeText(tmp.path('multiline.csv'), text));
    assert.deepEqual(rows, [
      { rowNumber: 2, cells: [ean13(1), 'Line one\r\nline "two"'] },
      { rowNumber: 4, cells: [ean13(2), 'Plain'] },
    ]);
  });

  it('strips the carriage return of mixed line ends and reads empty cells as null', async () => {
    const text = `EAN,Title,Qty\n${ean13(1)},,3\r\n${ean13(2)},B,\r\n`;
    const { rows } = await read(writeText(tmp.path('mixed.csv'), text));
    assert.deepEqual(rows[0]?.cells, [ean13(1), null, '3']);
    assert.deepEqual(rows[1]?.cells, [ean13(2), 'B', null]);
  });

  it('reads a single-column file without header, keeping leading zeros', async () => {
    const { detection, rows } = await read(
      writeText(tmp.path('single.txt'), `0${ean13(1).slice(1)}\n${ean13(2)}\n`),
    );
    assert.equal(detection.hasHeader, false);
    assert.equal(detection.columns.code.index, 0);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]?.rowNumber, 1);
  });

  it('takes the delimiter given as an option', async () => {
    const { rows } = await read(writeText(tmp.path('forced.csv'), `EAN;X\n${ean13(1)};a,b\n`), {
      delimiter: ',',
    });
    assert.deepEqual(rows[0]?.cells, [`${ean13(1)};a`, 'b']);
  });
});

describe('delimited text: limits', () => {
  const text = `EAN,Title\n${Array.from({ length: 20 }, (_, i) => `${ean13(i)},T${i}`).join('\n')}\n`;

  it('refuses more rows than maxRows, saying the limit and the option', async () => {
    const path = writeText(tmp.path('rows.csv'), text);
    const table = await openTable(path, { limits: { maxRows: 10 } }).catch((e: unknown) => e);
    assert.ok(table instanceof FileLimitError);
    assert.equal(table.code, 'too_many_rows');
    assert.match(table.message, /more than 10 rows.*maxRows/);
    const ok = await openTable(path, { limits: { maxRows: 20 } });
    assert.equal((await collect(ok.rows)).length, 20);
  });

  it('refuses a row wider than maxColumns', async () => {
    const path = writeText(tmp.path('wide.csv'), `EAN${',x'.repeat(30)}\n${ean13(1)}\n`);
    await assert.rejects(openTable(path, { limits: { maxColumns: 10 } }), {
      code: 'too_many_columns',
      message: /31 columns; the limit is 10/,
    });
  });

  it('refuses a cell over maxCellLength, also when a quote is never closed', async () => {
    const long = writeText(tmp.path('long.csv'), `EAN,Title\n${ean13(1)},${'y'.repeat(150)}\n`);
    await assert.rejects(openTable(long, { limits: { maxCellLength: 100 } }), {
      code: 'cell_too_long',
      message: /row 2, column 2 holds 150 characters; the limit is 100/,
    });
    const open = writeText(
      tmp.path('open-quote.csv'),
      `EAN,Title\n${ean13(1)},"never closed\n${'z,'.repeat(5000)}\n`,
    );
    await assert.rejects(openTable(open, { limits: { maxCellLength: 100 } }), {
      code: 'cell_too_long',
      message:
        /quoted cell \(column 2\) that ends near line \d+ is still open after 400 bytes: a quote that opens a cell is probably never closed/,
    });
  });

  it('says a wide row of short cells is too long as a row, not that a cell is', async () => {
    // 60 cells of 13 characters: each far under maxCellLength, the row over 4 × maxCellLength bytes.
    const wide = writeText(
      tmp.path('wide-row.csv'),
      `EAN,Title\n${ean13(1)},${Array.from({ length: 60 }, () => ean13(2)).join(',')}\n`,
    );
    const refused = await openTable(wide, { limits: { maxCellLength: 100 } })
      .then((t) => collect(t.rows))
      .catch((e: unknown) => e);
    assert.ok(refused instanceof FileLimitError, String(refused));
    assert.equal(refused.code, 'cell_too_long');
    assert.match(
      refused.message,
      /^The row ending near line 2 is longer than 400 bytes after \d+ cells, the most one row may hold/,
    );
    assert.doesNotMatch(refused.message, /A cell|quote/);
  });

  it('refuses a file holding only a header', async () => {
    await assert.rejects(openTable(writeText(tmp.path('header-only.csv'), 'EAN,Title\n')), {
      code: 'empty_file',
    });
  });
});
