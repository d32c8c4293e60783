import type { AmazonProduct } from './amazon-product.js';
import { tokenizeTitle } from './title-tokens.js';

/** What a listing sells: new goods, or a renewed (refurbished) or used copy. */
export type ListingCondition = 'new' | 'renewed' | 'used';

// Single words marking a renewed or used copy in FR/EN/DE/ES/IT/NL titles (folded: no accents,
// lower case). "Occasion" alone is left out: "pour toute occasion" is a gift, not a used item.
const RENEWED_WORDS = new Set([
  'renewed', 'refurbished', 'reconditioned', 'reconditionne', 'reconditionnee', 'reconditionnes',
  'generaluberholt', 'uberholt', 'generalueberholt', 'reacondicionado', 'reacondicionada',
  'ricondizionato', 'ricondizionata', 'rigenerato', 'gereviseerd', 'gereconditioneerd',
  'refurb', 'renouvele',
]); // prettier-ignore
const USED_WORDS = new Set([
  'used', 'gebraucht', 'usado', 'usada', 'usato', 'usata', 'tweedehands', 'preowned',
]); // prettier-ignore
// Two-word markers: "d'occasion", "pre-owned", "remis à neuf", "seconde main", "second hand".
const USED_PAIRS = [
  ['d', 'occasion'],
  ['pre', 'owned'],
  ['seconde', 'main'],
  ['second', 'hand'],
  ['segunda', 'mano'],
  ['seconda', 'mano'],
] as const;
const RENEWED_TRIPLES = [['remis', 'a', 'neuf']] as const;

/**
 * The condition of a listing: the offer's condition when the response gives it (`Used`,
 * `Refurbished`), else the markers of its title in the six languages ("(Renewed)",
 * "Reconditionné - …", "generalüberholt", "ricondizionato"…). `new` when nothing says otherwise.
 */
export function listingCondition(item: AmazonProduct): ListingCondition {
  const offer = item.condition?.toLowerCase() ?? null;
  if (offer === 'refurbished') return 'renewed';
  if (offer === 'used') return 'used';
  return item.title ? conditionInText(item.title) : 'new';
}

/** The condition a title's words state: `renewed`, `used`, or `new` when they state none. */
export function conditionInText(text: string): ListingCondition {
  const words = tokenizeTitle(text)
    .filter((t) => t.kind === 'word')
    .map((t) => t.text);
  if (words.some((w) => RENEWED_WORDS.has(w)) || hasSequence(words, RENEWED_TRIPLES)) {
    return 'renewed';
  }
  if (words.some((w) => USED_WORDS.has(w)) || hasSequence(words, USED_PAIRS)) return 'used';
  return 'new';
}

function hasSequence(words: readonly string[], sequences: readonly (readonly string[])[]): boolean {
  return sequences.some((seq) => words.some((_, i) => seq.every((w, k) => words[i + k] === w)));
}

/** Whether a listing can be bought now: `live`, `dead` (unavailable, no offer) or `unknown`. */
export type Liveness = 'live' | 'dead' | 'unknown';

const UNAVAILABLE =
  /out[ _]of[ _]stock|unavailable|not available|indisponible|rupture|nicht verf|no disponible|non disponibile|esaurito|niet beschikbaar|uitverkocht/i;

/**
 * From the offer the search returned: `dead` when its availability says out of stock or
 * unavailable, `live` when it has an offer (a price or another availability), `unknown` when the
 * response carries no offer data at all — the caller decides whether that means "no offer"
 * (other items of the same response have offers) or "offers not requested".
 */
export function listingLiveness(item: AmazonProduct): Liveness {
  if (item.availability && UNAVAILABLE.test(item.availability)) return 'dead';
  if (item.availability || item.price !== null) return 'live';
  return 'unknown';
}
