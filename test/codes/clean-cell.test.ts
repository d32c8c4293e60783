import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCode } from '../../src/codes/index.js';

const NUTELLA_GTIN = '03017620422003';

describe('parseCode: clean-up of the cell', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['spaces', '3 017620 422003'],
    ['hyphens', '3-017620-422003'],
    ['dots', '3.017620.422003'],
    ['double quotes', '"3017620422003"'],
    ['single quotes', "'3017620422003'"],
    ['typographic quotes', '\u201C3017620422003\u201D'],
    ["Excel's leading apostrophe", "'3017620422003"],
    ['an ="…" wrapper', '="3017620422003"'],
    ['an ="…" wrapper with a space', '= "3017620422003"'],
    ['non-breaking spaces U+00A0', '3\u00A0017620\u00A0422003'],
    ['narrow non-breaking spaces U+202F', '3\u202F017620\u202F422003'],
    ['tabs', '\t3017620422003\t'],
    ['surrounding spaces and a newline', '  3017620422003 \n'],
    ['a byte order mark', '\uFEFF3017620422003'],
    ['a zero-width space', '3017620\u200B422003'],
    ['a trailing .0 of a numeric export', '3017620422003.0'],
    ['quotes around an apostrophe and spaces', '" \'3017620422003 "'],
  ];
  for (const [label, raw] of cases) {
    it(`removes ${label} and flags cleaned`, () => {
      const parsed = parseCode(raw);
      assert.equal(parsed.valid, true, JSON.stringify(parsed));
      if (!parsed.valid) return;
      assert.equal(parsed.raw, raw);
      assert.equal(parsed.gtin14, NUTELLA_GTIN);
      assert.deepEqual(parsed.flags, ['cleaned']);
    });
  }

  it('does not flag cleaned when nothing was removed', () => {
    const parsed = parseCode('3017620422003');
    assert.equal(parsed.valid && parsed.flags.includes('cleaned'), false);
  });

  it('does not flag cleaned for an ISBN-10 whose x is only upper-cased', () => {
    const parsed = parseCode('080442957x');
    assert.equal(parsed.valid, true);
    assert.deepEqual(parsed.valid && parsed.flags, []);
  });

  it('cleans an ISBN-13 written with hyphens', () => {
    const parsed = parseCode('978-0-306-40615-7');
    assert.equal(parsed.valid && parsed.code, '9780306406157');
    assert.deepEqual(parsed.valid && parsed.flags, ['cleaned']);
  });

  it('cleans an ISSN-EAN written in groups', () => {
    const parsed = parseCode('977-0317-84700-1');
    assert.equal(parsed.valid && parsed.type, 'ISSN');
  });
});
