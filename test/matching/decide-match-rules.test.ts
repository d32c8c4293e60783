import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideMatch, resolveRules, type MatchingRule } from '../../src/matching/index.js';
import { CREATORS_SPREAD, code, fromWire, product } from './fixtures.js';

const SPREAD = code('3017620422003');
const GTIN = SPREAD.gtin14;
const FR = 'www.amazon.fr';

function rule(
  overrides: Partial<MatchingRule> & Pick<MatchingRule, 'asin' | 'rule'>,
): MatchingRule {
  return { gtin: GTIN, marketplace: '*', ...overrides };
}

describe('decideMatch: the user’s matching rules', () => {
  const matched = fromWire(CREATORS_SPREAD);
  const other = product({ asin: 'B0OTHER001', title: 'Pâte à tartiner', eans: [] });

  it('always: manual, confidence 1, manual_rule, with the product when it was returned', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [other, matched],
      rules: [rule({ asin: 'B0OTHER001', rule: 'always' })],
      marketplace: FR,
    });
    assert.equal(decision.asin, 'B0OTHER001');
    assert.equal(decision.match_type, 'manual');
    assert.equal(decision.confidence, 1);
    assert.equal(decision.band, 'high');
    assert.deepEqual(decision.reasons, ['manual_rule']);
    assert.equal(decision.product?.asin, 'B0OTHER001');
    assert.deepEqual(
      decision.candidates.map((c) => [c.asin, c.rank, c.match_type]),
      [
        ['B0OTHER001', 1, 'manual'],
        ['B0EXAMPLE1', 2, 'exact'],
      ],
    );
  });

  it('always: decides without a search (no items), product unknown', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [],
      rules: [rule({ asin: 'B0RULE0001', rule: 'always' })],
    });
    assert.equal(decision.asin, 'B0RULE0001');
    assert.equal(decision.match_type, 'manual');
    assert.equal(decision.product, null);
  });

  it('never: the ASIN is excluded with rejected_by_rule, the rest is decided normally', () => {
    const twin = product({ asin: 'B0TWIN0001', eans: ['3017620422003'] });
    const decision = decideMatch({
      code: SPREAD,
      items: [matched, twin],
      rules: [rule({ asin: 'B0EXAMPLE1', rule: 'never' })],
      marketplace: FR,
    });
    assert.equal(decision.asin, 'B0TWIN0001');
    assert.equal(decision.match_type, 'exact');
    assert.deepEqual(decision.reasons, ['ean_in_external_ids', 'single_candidate']);
    const rejected = decision.candidates.find((c) => c.asin === 'B0EXAMPLE1');
    assert.deepEqual(rejected?.reasons, ['rejected_by_rule']);
    assert.equal(rejected?.rejected, true);
  });

  it('never on the only match: none, all_rejected_by_rule', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [matched],
      rules: [rule({ asin: 'B0EXAMPLE1', rule: 'never' })],
    });
    assert.equal(decision.match_type, 'none');
    assert.deepEqual(decision.reasons, ['all_rejected_by_rule']);
  });

  it('rules of another marketplace or another code are ignored', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [matched],
      rules: [
        rule({ asin: 'B0EXAMPLE1', rule: 'never', marketplace: 'www.amazon.de' }),
        rule({ asin: 'B0ELSE0001', rule: 'always', gtin: '04006381333931' }),
      ],
      marketplace: FR,
    });
    assert.equal(decision.match_type, 'exact');
    assert.equal(decision.asin, 'B0EXAMPLE1');
  });

  it('a marketplace rule overrides a rule for all marketplaces', () => {
    const decision = decideMatch({
      code: SPREAD,
      items: [matched],
      rules: [
        rule({ asin: 'B0EXAMPLE1', rule: 'never' }),
        rule({ asin: 'B0EXAMPLE1', rule: 'always', marketplace: FR }),
      ],
      marketplace: FR,
    });
    assert.equal(decision.match_type, 'manual');
  });
});

describe('resolveRules', () => {
  it('at equal specificity never wins over always', () => {
    const resolved = resolveRules(
      [rule({ asin: 'B0X0000001', rule: 'always' }), rule({ asin: 'B0X0000001', rule: 'never' })],
      GTIN,
      FR,
    );
    assert.equal(resolved.always, null);
    assert.deepEqual([...resolved.never], ['B0X0000001']);
  });

  it('among always rules: the marketplace one, then the newest, then the smallest ASIN', () => {
    const general = rule({
      asin: 'B0GENERAL1',
      rule: 'always',
      created_at: '2026-12-01T00:00:00.000Z',
    });
    const older = rule({
      asin: 'B0OLDER001',
      rule: 'always',
      marketplace: FR,
      created_at: '2026-01-01T00:00:00.000Z',
    });
    const newer = rule({
      asin: 'B0NEWER001',
      rule: 'always',
      marketplace: FR,
      created_at: '2026-06-01T00:00:00.000Z',
    });
    assert.equal(resolveRules([general, older, newer], GTIN, FR).always?.asin, 'B0NEWER001');
    assert.equal(resolveRules([general, older], GTIN, 'www.amazon.de').always?.asin, 'B0GENERAL1');
    const tieA = rule({ asin: 'B0AAAAAAAA', rule: 'always' });
    const tieB = rule({ asin: 'B0BBBBBBBB', rule: 'always' });
    assert.equal(resolveRules([tieB, tieA], GTIN, FR).always?.asin, 'B0AAAAAAAA');
  });

  it('without a marketplace only rules for all marketplaces apply', () => {
    const resolved = resolveRules(
      [rule({ asin: 'B0X0000001', rule: 'never', marketplace: FR })],
      GTIN,
      undefined,
    );
    assert.equal(resolved.never.size, 0);
  });
});
