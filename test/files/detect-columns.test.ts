import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { detectColumns, matchHeader, normaliseHeader, openTable } from '../../src/files/index.js';
import type { TableRow } from '../../src/files/index.js';
import { FileError, surfaceMessage } from '../../src/files/file-error.js';
import { createTempDir, ean13, writeText } from './helpers/file-fixtures.js';

const tmp = createTempDir();
after(() => tmp.cleanup());

function rows(count: number, make: (i: number) => (string | number | null)[]): TableRow[] {
  return Array.from({ length: count }, (_, i) => ({ rowNumber: i + 2, cells: make(i) }));
}

describe('code column by header name', () => {
  const names: Record<string, string[]> = {
    English: [
      'EAN',
      'ean13',
      'EAN-13',
      'GTIN',
      'gtin13',
      'UPC',
      'ISBN',
      'Barcode',
      'Bar code',
      'Product EAN',
    ],
    French: ['Code-barre', 'code barre', 'Code EAN', 'Codes-barres', 'Code à barres', 'GENCOD'],
    German: ['EAN-Code', 'Strichcode', 'EAN-Nummer', 'GTIN-Nummer'],
    Spanish: ['Código de barras', 'CODIGO BARRAS', 'Código EAN'],
    Italian: ['Codice a barre', 'codice EAN', 'Codice barre'],
  };
  for (const [language, headers] of Object.entries(names)) {
    it(`recognises ${language} names, ignoring accents, case and spaces`, () => {
      for (const header of headers) {
        const found = detectColumns(
          ['Title', header, 'Price'],
          rows(5, (i) => [`T${i}`, ean13(i), '1']),
        );
        assert.equal(found.code.index, 1, header);
        assert.equal(found.code.by, 'header', header);
        assert.equal(found.code.share, 1);
        assert.match(found.code.reason, /header (is|contains)/);
      }
    });
  }

  it('does not take words that merely contain the letters (Jeans, Ocean)', () => {
    assert.equal(matchHeader('Jeans size', 'code').score, 0);
    assert.equal(matchHeader('Ocean blue', 'code').score, 0);
    assert.equal(normaliseHeader('Código de barras'), 'codigodebarras');
  });

  it('prefers, among two code headers, the one whose cells hold valid codes', () => {
    const found = detectColumns(
      ['EAN', 'UPC'],
      rows(10, (i) => ['n/a', ean13(i)]),
    );
    assert.equal(found.code.header, 'UPC');
  });

  it('falls back to content when the named column holds nothing valid and another does', () => {
    const found = detectColumns(
      ['EAN', 'Ref'],
      rows(10, (i) => [null, ean13(i)]),
    );
    assert.equal(found.code.by, 'content');
    assert.equal(found.code.header, 'Ref');
  });
});

describe('code column by content and explicitly', () => {
  it('picks the column with the largest share of valid codes, numbers included', () => {
    const sample = rows(100, (i) => [
      `SKU-${i}`,
      i % 4 === 0 ? 'bad' : Number(ean13(i)),
      ean13(i).slice(0, 12),
    ]);
    const found = detectColumns(['Ref', 'Col', 'Other'], sample);
    assert.equal(found.code.index, 1);
    assert.equal(found.code.by, 'content');
    assert.equal(found.code.share, 0.75);
    assert.match(found.code.reason, /75% of the first 100 rows hold a valid code/);
  });

  it('falls back to digit strings when no code is valid, and fails when there are none', () => {
    const digits = detectColumns(
      [null, null],
      rows(5, (i) => [`x${i}`, '1234567890123']),
    );
    assert.equal(digits.code.index, 1);
    assert.equal(digits.code.share, 0);
    assert.throws(
      () =>
        detectColumns(
          ['A', 'B'],
          rows(5, () => ['x', 'y']),
        ),
      (error: unknown) => {
        assert.ok(error instanceof FileError);
        assert.equal(error.code, 'no_code_column');
        assert.equal(error.option, 'column');
        // Each surface names its own way to pass the column (issue #21, observation 6).
        const api = surfaceMessage(error, 'api');
        assert.match(api, /`column` field/);
        assert.doesNotMatch(api, /--column/);
        assert.match(surfaceMessage(error, 'cli'), /--column/);
        return true;
      },
    );
  });

  it('takes an explicit column by header name, number or letter, over any detection', () => {
    const header = ['EAN', 'Supplier code', 'Title'];
    const sample = rows(5, (i) => [ean13(i), ean13(i + 10), 'T']);
    for (const column of ['supplier CODE', '2', 2, 'B', 'b']) {
      const found = detectColumns(header, sample, column);
      assert.equal(found.code.index, 1, String(column));
      assert.equal(found.code.by, 'explicit');
    }
    assert.throws(() => detectColumns(header, sample, 'Barcode'), {
      code: 'column_not_found',
      message: /1\. EAN, 2\. Supplier code, 3\. Title/,
    });
    assert.throws(() => detectColumns(header, sample, 9), { code: 'column_not_found' });
  });
});

describe('optional columns', () => {
  const cases: [string, string[]][] = [
    ['English', ['EAN', 'Product name', 'Brand', 'Unit price', 'Qty', 'ASIN']],
    ['French', ['Code EAN', 'Désignation', 'Marque', 'Prix HT', 'Quantité', 'ASIN']],
    ['German', ['EAN-Code', 'Artikelbezeichnung', 'Hersteller', 'Preis', 'Menge', 'Amazon ASIN']],
    ['Spanish', ['Código de barras', 'Título', 'Marca', 'Precio', 'Cantidad', 'ASIN']],
    ['Italian', ['Codice a barre', 'Descrizione', 'Marchio', 'Prezzo', 'Quantità', 'Codice ASIN']],
  ];
  for (const [language, header] of cases) {
    it(`finds title, brand, price, quantity and ASIN in ${language}`, () => {
      const found = detectColumns(
        header,
        rows(3, (i) => [ean13(i), 'T', 'B', '1', '2', 'B000000001']),
      );
      assert.deepEqual(
        [
          found.code.index,
          found.title?.index,
          found.brand?.index,
          found.price?.index,
          found.quantity?.index,
          found.asin?.index,
        ],
        [0, 1, 2, 3, 4, 5],
      );
    });
  }

  it('finds an unnamed ASIN column by content', () => {
    const found = detectColumns(
      ['EAN', 'X'],
      rows(4, (i) => [ean13(i), `B0${String(i).padStart(8, 'A')}`]),
    );
    assert.equal(found.asin?.by, 'content');
    assert.equal(found.asin?.index, 1);
  });
});

describe('header row detection', () => {
  it('finds a header of unknown names over rows of codes, and none over data', async () => {
    const named = writeText(
      tmp.path('named.csv'),
      `Foo,Bar\nwidget,${ean13(1)}\ngadget,${ean13(2)}\n`,
    );
    const withHeader = await openTable(named);
    assert.equal(withHeader.detection.hasHeader, true);
    assert.deepEqual(withHeader.detection.header, ['Foo', 'Bar']);
    assert.equal(withHeader.detection.columns.code.header, 'Bar');

    const bare = writeText(tmp.path('bare.csv'), `widget,${ean13(1)}\ngadget,${ean13(2)}\n`);
    const noHeader = await openTable(bare);
    assert.equal(noHeader.detection.hasHeader, false);
    assert.deepEqual(noHeader.detection.columnNames, ['Column 1', 'Column 2']);
    assert.equal(noHeader.detection.columns.code.by, 'content');
  });

  it('honours hasHeader given as an option', async () => {
    const path = writeText(tmp.path('forced-header.csv'), `${ean13(1)}\n${ean13(2)}\n`);
    const table = await openTable(path, { hasHeader: true });
    assert.equal(table.detection.hasHeader, true);
    assert.equal(table.detection.header[0], ean13(1));
  });

  it('detects on the first 1,000 rows only and still yields every row once', async () => {
    const body = Array.from({ length: 3000 }, (_, i) =>
      i < 1001 ? `x${i},${ean13(i)}` : `${ean13(i)},y`,
    );
    const path = writeText(tmp.path('late-change.csv'), `A,B\n${body.join('\n')}\n`);
    const table = await openTable(path);
    assert.equal(table.detection.columns.code.index, 1);
    assert.equal(table.detection.sampledRows, 1000);
    let count = 0;
    let last = 0;
    for await (const row of table.rows) {
      count += 1;
      assert.ok(row.rowNumber > last);
      last = row.rowNumber;
    }
    assert.equal(count, 3000);
  });
});
