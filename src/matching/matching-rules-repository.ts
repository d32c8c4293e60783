import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../db/dialect.js';
import type { DB, MatchingRulesTable } from '../db/schema.js';
import type { MatchingRule, MatchingRuleKind } from './types.js';

/** A rule as stored: the decision's data plus its owner and id. */
export interface StoredMatchingRule extends MatchingRule {
  id: number;
  owner: string;
  note: string | null;
  created_at: string;
}

/** What `upsertRule` stores. `marketplace` defaults to `*` (all marketplaces). */
export interface MatchingRuleInput {
  owner: string;
  gtin: string;
  asin: string;
  rule: MatchingRuleKind;
  marketplace?: string;
  note?: string | null;
}

/** Names one rule: by id, or by its code, ASIN and marketplace. */
export type MatchingRuleKey = { id: number } | { gtin: string; asin: string; marketplace?: string };

/** Filters and page of `listRules`. */
export interface ListRulesOptions {
  gtin?: string;
  asin?: string;
  marketplace?: string;
  rule?: MatchingRuleKind;
  limit?: number;
  offset?: number;
}

/** A rule that cannot be stored; `code` names the field. */
export class MatchingRuleError extends Error {
  override readonly name = 'MatchingRuleError';
  constructor(
    readonly code: 'invalid_gtin' | 'invalid_asin' | 'invalid_rule' | 'invalid_marketplace',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The rules of one owner for the given codes (GTIN-14) that apply in a marketplace: its own and
 * those for all marketplaces (`*`). One query, whatever the number of codes (chunked by 500 to
 * stay under SQLite's bound-parameter limit).
 */
export async function listRulesForCodes(
  db: Kysely<DB>,
  owner: string,
  marketplace: string,
  gtins: readonly string[],
): Promise<StoredMatchingRule[]> {
  const unique = [...new Set(gtins)];
  const out: StoredMatchingRule[] = [];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom('matching_rules')
      .selectAll()
      .where('owner', '=', owner)
      .where('marketplace', 'in', marketplace === '*' ? ['*'] : [marketplace, '*'])
      .where('gtin', 'in', unique.slice(i, i + 500))
      .orderBy('id')
      .execute();
    out.push(...rows.map(toRule));
  }
  return out;
}

/**
 * Stores a rule; the same (owner, code, ASIN, marketplace) is replaced, so turning "always" into
 * "never" is one call. The time of the latest decision is kept.
 */
export async function upsertRule(
  db: Kysely<DB>,
  input: MatchingRuleInput,
): Promise<StoredMatchingRule> {
  const values = validateRule(input);
  const row = await db
    .insertInto('matching_rules')
    .values({ ...values, created_at: nowIso() })
    .onConflict((oc) =>
      oc.columns(['owner', 'gtin', 'asin', 'marketplace']).doUpdateSet((eb) => ({
        rule: eb.ref('excluded.rule'),
        note: eb.ref('excluded.note'),
        created_at: eb.ref('excluded.created_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRule(row);
}

/** Deletes one rule of the owner; false when there was none. */
export async function deleteRule(
  db: Kysely<DB>,
  owner: string,
  key: MatchingRuleKey,
): Promise<boolean> {
  let query = db.deleteFrom('matching_rules').where('owner', '=', owner);
  query =
    'id' in key
      ? query.where('id', '=', key.id)
      : query
          .where('gtin', '=', key.gtin)
          .where('asin', '=', key.asin)
          .where('marketplace', '=', key.marketplace ?? '*');
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The owner's rules, newest first, filtered and paged (default 100, at most 1000). */
export async function listRules(
  db: Kysely<DB>,
  owner: string,
  options: ListRulesOptions = {},
): Promise<StoredMatchingRule[]> {
  let query = db.selectFrom('matching_rules').selectAll().where('owner', '=', owner);
  if (options.gtin !== undefined) query = query.where('gtin', '=', options.gtin);
  if (options.asin !== undefined) query = query.where('asin', '=', options.asin);
  if (options.marketplace !== undefined)
    query = query.where('marketplace', '=', options.marketplace);
  if (options.rule !== undefined) query = query.where('rule', '=', options.rule);
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(Math.max(options.offset ?? 0, 0))
    .execute();
  return rows.map(toRule);
}

function validateRule(input: MatchingRuleInput) {
  const marketplace = input.marketplace ?? '*';
  if (!/^\d{14}$/.test(input.gtin)) {
    throw new MatchingRuleError(
      'invalid_gtin',
      `"${input.gtin}" is no GTIN-14; normalise the code first (parseCode(raw).gtin14)`,
    );
  }
  const asin = input.asin.trim().toUpperCase();
  if (!/^[0-9]{9}[0-9X]$|^[A-Z][A-Z0-9]{9}$/.test(asin)) {
    throw new MatchingRuleError(
      'invalid_asin',
      `"${input.asin}" is no ASIN; give 10 characters like B0EXAMPLE1`,
    );
  }
  if (input.rule !== 'always' && input.rule !== 'never') {
    throw new MatchingRuleError(
      'invalid_rule',
      `rule must be "always" or "never", not "${String(input.rule)}"`,
    );
  }
  if (marketplace !== '*' && !/^[a-z0-9.-]+\.[a-z.]+$/.test(marketplace)) {
    throw new MatchingRuleError(
      'invalid_marketplace',
      `marketplace must be a domain like www.amazon.fr or "*", not "${marketplace}"`,
    );
  }
  return {
    owner: input.owner,
    gtin: input.gtin,
    asin,
    rule: input.rule,
    marketplace,
    note: input.note ?? null,
  };
}

function toRule(row: Selectable<MatchingRulesTable>): StoredMatchingRule {
  return {
    id: row.id,
    owner: row.owner,
    gtin: row.gtin,
    asin: row.asin,
    rule: row.rule === 'always' ? 'always' : 'never',
    marketplace: row.marketplace,
    note: row.note,
    created_at: row.created_at,
  };
}
