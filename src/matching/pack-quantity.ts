import type { AmazonProduct } from './amazon-product.js';
import { packInText } from './pack-phrases.js';
import type { RowContext } from './types.js';

/** A pack size and whether something stated it (a title without a pack phrase means 1). */
export interface PackReading {
  count: number;
  /** false: inferred from a title that names no pack (a unit). */
  stated: boolean;
}

/** Variation attribute names whose value is a unit count. */
const COUNT_ATTRIBUTES = /^(number ?of ?items|item ?package ?quantity|unit ?count|pack ?size)$/i;

/**
 * Units in the listing's pack: its variation attributes ("item_package_quantity": 6, or a value
 * "Pack of 6"), then its title ("Lot de 12", "6 x 330 ml", "x8"), then
 * `itemInfo.productInfo.unitCount`. A title that states none means one unit (`stated: false`);
 * null when the item has neither title nor count.
 */
export function listingPack(item: AmazonProduct): PackReading | null {
  for (const [name, value] of Object.entries(item.variation_attributes ?? {})) {
    if (COUNT_ATTRIBUTES.test(name.replace(/_/g, ' '))) {
      const count = Number.parseInt(value, 10);
      if (Number.isInteger(count) && count > 0) return { count, stated: true };
    }
    const fromValue = packInText(value);
    if (fromValue !== null) return { count: fromValue, stated: true };
  }
  const fromTitle = item.title ? packInText(item.title) : null;
  if (fromTitle !== null) return { count: fromTitle, stated: true };
  const units = item.unit_count;
  if (units !== null && units !== undefined && Number.isInteger(units) && units > 0) {
    return { count: units, stated: true };
  }
  return item.title ? { count: 1, stated: false } : null;
}

/**
 * Units the supplier's row sells: its quantity column, else its title's pack phrase, else one
 * when it has a title (a unit title). Null for a row with neither (a file of codes only).
 */
export function rowPack(row: RowContext): PackReading | null {
  const q = row.quantity;
  if (q !== null && q !== undefined && Number.isInteger(q) && q > 0) {
    return { count: q, stated: true };
  }
  if (!row.title) return null;
  const fromTitle = packInText(row.title);
  return fromTitle !== null ? { count: fromTitle, stated: true } : { count: 1, stated: false };
}

/** Pack size of the item as a number (null when unknown); kept for callers that show it. */
export function packQuantity(item: AmazonProduct): number | null {
  return listingPack(item)?.count ?? null;
}
