import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decideMatch } from '../../src/matching/index.js';
import {
  MatchingRuleError,
  deleteRule,
  listRules,
  listRulesForCodes,
  upsertRule,
} from '../../src/matching/matching-rules-repository.js';
import { forEachDatabase } from '../helpers/database.js';
import { code, product } from './fixtures.js';

const SPREAD = '03017620422003';
const PEN = '04006381333931';
const FR = 'www.amazon.fr';
const DE = 'www.amazon.de';

forEachDatabase('matching rules repository', ({ database }) => {
  it('upsertRule stores a rule for all marketplaces by default and returns it', async () => {
    const stored = await upsertRule(database().db, {
      owner: 'alice',
      gtin: SPREAD,
      asin: 'b0example1',
      rule: 'always',
      note: 'checked by hand',
    });
    assert.equal(typeof stored.id, 'number');
    assert.equal(stored.asin, 'B0EXAMPLE1');
    assert.equal(stored.marketplace, '*');
    assert.equal(stored.note, 'checked by hand');
    assert.match(stored.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('upsertRule replaces the same (owner, code, ASIN, marketplace): always becomes never', async () => {
    const db = database().db;
    const first = await upsertRule(db, {
      owner: 'bob',
      gtin: SPREAD,
      asin: 'B0EXAMPLE1',
      rule: 'always',
    });
    const second = await upsertRule(db, {
      owner: 'bob',
      gtin: SPREAD,
      asin: 'B0EXAMPLE1',
      rule: 'never',
      note: 'wrong pack',
    });
    assert.equal(second.id, first.id);
    assert.equal(second.rule, 'never');
    assert.equal(second.note, 'wrong pack');
    const rules = await listRules(db, 'bob');
    assert.equal(rules.length, 1);
  });

  it('listRulesForCodes returns the owner’s rules for the marketplace and for *', async () => {
    const db = database().db;
    await upsertRule(db, { owner: 'carol', gtin: SPREAD, asin: 'B0ALL00001', rule: 'never' });
    await upsertRule(db, {
      owner: 'carol',
      gtin: SPREAD,
      asin: 'B0FR000001',
      rule: 'always',
      marketplace: FR,
    });
    await upsertRule(db, {
      owner: 'carol',
      gtin: SPREAD,
      asin: 'B0DE000001',
      rule: 'always',
      marketplace: DE,
    });
    await upsertRule(db, { owner: 'carol', gtin: PEN, asin: 'B0PEN00001', rule: 'always' });
    await upsertRule(db, { owner: 'dave', gtin: SPREAD, asin: 'B0DAVE0001', rule: 'always' });

    const rules = await listRulesForCodes(db, 'carol', FR, [SPREAD, SPREAD]);
    assert.deepEqual(rules.map((r) => r.asin).sort(), ['B0ALL00001', 'B0FR000001']);
    const both = await listRulesForCodes(db, 'carol', DE, [SPREAD, PEN]);
    assert.deepEqual(both.map((r) => r.asin).sort(), ['B0ALL00001', 'B0DE000001', 'B0PEN00001']);
    assert.deepEqual(await listRulesForCodes(db, 'carol', FR, []), []);
  });

  it('the stored rules feed decideMatch: always → manual, never → rejected_by_rule', async () => {
    const db = database().db;
    await upsertRule(db, { owner: 'erin', gtin: SPREAD, asin: 'B0WRONG001', rule: 'never' });
    const items = [
      product({ asin: 'B0WRONG001', eans: ['3017620422003'] }),
      product({ asin: 'B0RIGHT001', eans: ['3017620422003'] }),
    ];
    const rules = await listRulesForCodes(db, 'erin', FR, [SPREAD]);
    const decision = decideMatch({ code: code('3017620422003'), items, rules, marketplace: FR });
    assert.equal(decision.asin, 'B0RIGHT001');
    assert.ok(
      decision.candidates.some(
        (c) => c.asin === 'B0WRONG001' && c.reasons[0] === 'rejected_by_rule',
      ),
    );

    await upsertRule(db, {
      owner: 'erin',
      gtin: SPREAD,
      asin: 'B0WRONG001',
      rule: 'always',
      marketplace: FR,
    });
    const again = await listRulesForCodes(db, 'erin', FR, [SPREAD]);
    const manual = decideMatch({
      code: code('3017620422003'),
      items,
      rules: again,
      marketplace: FR,
    });
    assert.equal(manual.asin, 'B0WRONG001');
    assert.equal(manual.match_type, 'manual');
  });

  it('listRules filters, pages, newest first, and sees only the owner’s rules', async () => {
    const db = database().db;
    for (let n = 1; n <= 5; n++) {
      await upsertRule(db, {
        owner: 'frank',
        gtin: PEN,
        asin: `B0FRANK00${n}`,
        rule: n % 2 ? 'always' : 'never',
      });
    }
    const all = await listRules(db, 'frank');
    assert.deepEqual(
      all.map((r) => r.asin),
      ['B0FRANK005', 'B0FRANK004', 'B0FRANK003', 'B0FRANK002', 'B0FRANK001'],
    );
    assert.equal((await listRules(db, 'frank', { rule: 'never' })).length, 2);
    assert.deepEqual(
      (await listRules(db, 'frank', { limit: 2, offset: 1 })).map((r) => r.asin),
      ['B0FRANK004', 'B0FRANK003'],
    );
    assert.equal((await listRules(db, 'frank', { asin: 'B0FRANK003' })).length, 1);
    assert.equal((await listRules(db, 'frank', { gtin: SPREAD })).length, 0);
    assert.equal((await listRules(db, 'frank', { marketplace: '*' })).length, 5);
    assert.equal((await listRules(db, 'nobody')).length, 0);
  });

  it('deleteRule by key or id, only the owner’s, false when nothing was deleted', async () => {
    const db = database().db;
    const a = await upsertRule(db, {
      owner: 'gina',
      gtin: PEN,
      asin: 'B0GINA0001',
      rule: 'always',
      marketplace: FR,
    });
    const b = await upsertRule(db, { owner: 'gina', gtin: PEN, asin: 'B0GINA0002', rule: 'never' });
    assert.equal(await deleteRule(db, 'gina', { gtin: PEN, asin: 'B0GINA0001' }), false);
    assert.equal(
      await deleteRule(db, 'gina', { gtin: PEN, asin: 'B0GINA0001', marketplace: FR }),
      true,
    );
    assert.equal(await deleteRule(db, 'someone-else', { id: b.id }), false);
    assert.equal(await deleteRule(db, 'gina', { id: b.id }), true);
    assert.equal(await deleteRule(db, 'gina', { id: a.id }), false);
    assert.equal((await listRules(db, 'gina')).length, 0);
  });

  it('rejects a rule that is not storable with a coded error', async () => {
    const db = database().db;
    const bad = [
      [{ gtin: '3017620422003' }, 'invalid_gtin'],
      [{ asin: 'nope' }, 'invalid_asin'],
      [{ rule: 'sometimes' }, 'invalid_rule'],
      [{ marketplace: 'France' }, 'invalid_marketplace'],
    ] as const;
    for (const [override, expected] of bad) {
      const input = {
        owner: 'hank',
        gtin: PEN,
        asin: 'B0HANK0001',
        rule: 'always' as const,
        ...override,
      };
      await assert.rejects(
        upsertRule(db, input as Parameters<typeof upsertRule>[1]),
        (e: unknown) => e instanceof MatchingRuleError && e.code === expected,
      );
    }
  });
});
