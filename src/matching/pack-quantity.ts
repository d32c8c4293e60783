import type { AmazonProduct } from '../amazon/product.js';
import { normalizeText } from './text-similarity.js';

const MEASURE = String.raw`\d+(?:g|kg|mg|ml|cl|l|oz|lb)`;

// Pack-size phrasings in titles and variation values, on the normalised text (lower case, no
// accents, `400 g` → `400g`). Each captures the number of units.
const PACK_PATTERNS: readonly RegExp[] = [
  /\bpack of (\d+)\b/,
  /\bset of (\d+)\b/,
  /\bcase of (\d+)\b/,
  /\bbox of (\d+)\b/,
  /\b(\d+) ?(?:er )?(?:pack|pk|packung)\b/,
  /\blot (?:de )?(\d+)\b/,
  /\bpaquete (?:de )?(\d+)\b/,
  /\bconfezione (?:da )?(\d+)\b/,
  /\b(\d+) ?(?:x|×) ?(?=\d)/,
  new RegExp(String.raw`\b${MEASURE} ?x ?(\d+)\b`),
];

/** Variation attribute names whose value is a unit count. */
const COUNT_ATTRIBUTES = /^(number ?of ?items|item ?package ?quantity|unit ?count|pack ?size)$/i;

/**
 * Units in the item's pack, read from its variation attributes, then its title ("Pack of 6",
 * "6er Pack", "Lot de 6", "6 x 400 g", "33cl x 24"). Null when the item does not say; a pack of
 * 1 is only reported when stated.
 */
export function packQuantity(item: AmazonProduct): number | null {
  for (const [name, value] of Object.entries(item.variation_attributes ?? {})) {
    if (COUNT_ATTRIBUTES.test(name.replace(/_/g, ' '))) {
      const count = Number.parseInt(value, 10);
      if (Number.isInteger(count) && count > 0) return count;
    }
    const fromValue = quantityInText(value);
    if (fromValue !== null) return fromValue;
  }
  return item.title ? quantityInText(item.title) : null;
}

/** The pack quantity stated in a text, or null. */
export function quantityInText(text: string): number | null {
  const normalized = normalizeText(text);
  for (const pattern of PACK_PATTERNS) {
    const match = pattern.exec(normalized);
    const count = match?.[1] ? Number.parseInt(match[1], 10) : NaN;
    if (Number.isInteger(count) && count > 0 && count <= 1000) return count;
  }
  return null;
}
