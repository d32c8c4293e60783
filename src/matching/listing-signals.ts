import type { AmazonProduct } from './amazon-product.js';
import { listingCondition, type ListingCondition } from './listing-condition.js';
import { listingPack, rowPack } from './pack-quantity.js';
import { contribution, describedContribution } from './signals.js';
import type { RowContext, SignalContribution } from './types.js';
import { variantConflict } from './variant-words.js';

/**
 * What the row and one listing say about whether they are the same sellable thing, beyond the
 * code: pack sizes, the listing's condition, variant words. `blockers` are the reasons that
 * forbid accepting the listing automatically (a person may still choose it).
 */
export interface ListingSignals {
  signals: SignalContribution[];
  blockers: string[];
  condition: ListingCondition;
  /** 0 the pack agrees or nothing says otherwise, 1 unverified (row unknown, listing a pack). */
  packRank: number;
  /** A variant word differs (cherry / lemon): a fuzzy match is then not a match at all. */
  variantConflict: boolean;
}

/** Reads pack, condition and variant signals of one listing against the row. */
export function listingSignals(
  item: AmazonProduct,
  row: RowContext,
  options: { checkPack: boolean },
): ListingSignals {
  const out: ListingSignals = {
    signals: [],
    blockers: [],
    condition: listingCondition(item),
    packRank: 0,
    variantConflict: false,
  };
  if (options.checkPack) addPackSignal(out, item, row);
  if (out.condition !== 'new') {
    const signal = contribution(
      out.condition === 'renewed' ? 'condition_renewed' : 'condition_used',
    );
    out.signals.push(signal);
    out.blockers.push(signal.reason);
  }
  const conflict = row.title && item.title ? variantConflict(row.title, item.title) : null;
  if (conflict) {
    const signal = describedContribution(
      'variant_mismatch',
      `${conflict.dimension} row ${conflict.row.join('/')}, listing ${conflict.listing.join('/')}`,
    );
    out.signals.push(signal);
    out.blockers.push(signal.reason);
    out.variantConflict = true;
  }
  return out;
}

/**
 * A known disagreement (the row's quantity or title against the listing's title, attributes or
 * unit count) is decisive: `pack_mismatch: row 1, listing 12` blocks acceptance. Two readings
 * that are both inferred (two unit titles) say nothing. A row of unknown pack (codes only) on a
 * listing that states a pack is `pack_unverified`: ranked after a unit listing.
 */
function addPackSignal(out: ListingSignals, item: AmazonProduct, row: RowContext): void {
  const listing = listingPack(item);
  const rowReading = rowPack(row);
  if (!listing) return;
  if (!rowReading) {
    if (listing.stated && listing.count > 1) {
      out.signals.push(describedContribution('pack_unverified', `listing ${listing.count}`));
      out.packRank = 1;
    }
    return;
  }
  if (!listing.stated && !rowReading.stated) return;
  if (listing.count === rowReading.count) {
    out.signals.push(describedContribution('pack_match', String(listing.count)));
    return;
  }
  const signal = describedContribution(
    'pack_mismatch',
    `row ${rowReading.count}, listing ${listing.count}`,
  );
  out.signals.push(signal);
  out.blockers.push(signal.reason);
}
