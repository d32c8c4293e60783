import { isLengthUnit, isMeasureUnit, tokenizeTitle, type TitleToken } from './title-tokens.js';

// Nouns that, followed by a number, state a pack: "pack of 6", "lot de 12", "carton de 12",
// "paquete de 6", "confezione da 6", "Packung mit 6", "set van 4", "caja de 24", "multipack 4".
const PACK_NOUNS = new Set([
  'pack', 'packs', 'pk', 'lot', 'lots', 'paquete', 'paq', 'confezione', 'conf', 'packung',
  'lote', 'multipack', 'vorteilspack', 'sixpack', 'megapack', 'promopack', 'colis',
]); // prettier-ignore

// Nouns that are also products ("iPhone 12 case", "Lego set 3"): a pack only with a connector
// ("case of 24", "carton de 12", "set van 4", "Karton mit 12").
const CONTAINER_NOUNS = new Set([
  'set', 'case', 'box', 'carton', 'caisse', 'caja', 'pak', 'pakket', 'verpakking', 'doos',
  'bundle', 'kiste', 'karton', 'tray', 'coffret', 'estuche', 'scatola',
]); // prettier-ignore

// Words between the noun and the number ("pack *of* 6", "lot *de* 6", "confezione *da* 6").
const CONNECTORS = new Set(['of', 'de', 'da', 'di', 'van', 'mit', 'x', 'a', 'von']);

// Nouns that, after a number, count sellable units: "6 bouteilles", "24 Dosen", "12 latas".
// Pieces, sheets, capsules or rolls are left out: "1000 pièces" is one puzzle, "30 capsules"
// one box.
const UNIT_NOUNS = new Set([
  'bouteilles', 'bottles', 'flaschen', 'botellas', 'bottiglie', 'flessen', 'canettes', 'cans',
  'dosen', 'latas', 'lattine', 'blikjes', 'briques', 'briks', 'unites', 'unidades', 'unita',
  'stuks', 'units', 'pots', 'boites', 'tins', 'packungen', 'paquets', 'packets', 'sachets',
]); // prettier-ignore

// "Model X8", "Typ X10": a model name, not a count.
const MODEL_WORDS = new Set([
  'model',
  'modele',
  'modell',
  'modelo',
  'modello',
  'type',
  'typ',
  'serie',
  'series',
]);

/** Largest pack a title is believed to state (above: a model number, a page count…). */
const MAX_PACK = 500;

/**
 * The pack quantity a title states, in the phrasings of FR/EN/DE/ES/IT/NL product titles and
 * supplier files, or null when it states none. Read from tokens, not a list of phrases:
 * a pack noun then a number ("Lot de 12", "pack of 6", "(Pack de 6)", "confezione da 6"),
 * a number then a pack noun ("6er Pack", "12-pack", "24 canettes"), a count times a measure
 * ("6 x 33cl", "(6 x 1 L)", "4x125g"), a measure times a count ("33cl x 24"), or a free-standing
 * `x8` / `x 8` ending a phrase. A measure alone ("330 ml"), a bare noun ("Lot"), a model number
 * ("X100"), a size ("20 x 30 cm") and "2-in-1" state no pack.
 */
export function packInText(text: string): number | null {
  const tokens = tokenizeTitle(text);
  for (let i = 0; i < tokens.length; i++) {
    const found = packAt(tokens, i);
    if (found !== null) return found;
  }
  return null;
}

function packAt(tokens: readonly TitleToken[], i: number): number | null {
  const t = tokens[i] as TitleToken;
  if (t.kind === 'word' && PACK_NOUNS.has(t.text)) return nounThenNumber(tokens, i, false);
  if (t.kind === 'word' && CONTAINER_NOUNS.has(t.text)) return nounThenNumber(tokens, i, true);
  if (t.kind === 'num') return numberThenPhrase(tokens, i);
  if (t.kind === 'word' && t.text === 'x') return freeStandingTimes(tokens, i);
  return null;
}

/** "pack of 6", "lot de 12", "Packung mit 6", "pack x6", "multipack 4". */
function nounThenNumber(
  tokens: readonly TitleToken[],
  i: number,
  needsConnector: boolean,
): number | null {
  let j = i + 1;
  if (tokens[j]?.kind === 'punct' && (tokens[j]?.text === ':' || tokens[j]?.text === '.')) j++;
  const connected = tokens[j]?.kind === 'word' && CONNECTORS.has(tokens[j]?.text as string);
  if (connected) j++;
  else if (needsConnector) return null;
  const n = tokens[j];
  if (!n || n.kind !== 'num') return null;
  // "pack 500 g", "set 20 cm": a measure, not a count; "set 2-in-1", "lot 3 in 1": a product.
  if (isMeasureUnit(tokens, j + 1) || isLengthUnit(tokens, j + 1)) return null;
  if (tokens[j + 1]?.text === 'in' || tokens[j + 2]?.text === 'in') return null;
  return count(n);
}

/** "6er Pack", "12-pack", "6 pk", "24 canettes", "6 x 33cl", "33cl x 24". */
function numberThenPhrase(tokens: readonly TitleToken[], i: number): number | null {
  const n = tokens[i] as TitleToken;
  let j = i + 1;
  if (tokens[j]?.text === 'er') j++;
  if (tokens[j]?.text === '-') j++;
  const next = tokens[j];
  if (next?.kind === 'word' && (PACK_NOUNS.has(next.text) || UNIT_NOUNS.has(next.text))) {
    return count(n);
  }
  if (tokens[i + 1]?.text === 'x') return countTimes(tokens, i);
  if (isMeasureUnit(tokens, i + 1) && tokens[i + 2]?.text === 'x') {
    const m = tokens[i + 3];
    if (m?.kind === 'num' && !isMeasureUnit(tokens, i + 4) && !isLengthUnit(tokens, i + 4)) {
      return count(m);
    }
  }
  return null;
}

/** "6 x 33cl", "(6 x 1 L)", "4x125g", "2 x Ariel": N times something that is not a length. */
function countTimes(tokens: readonly TitleToken[], i: number): number | null {
  const after = tokens[i + 2];
  if (!after) return null;
  if (after.kind === 'num') {
    if (isMeasureUnit(tokens, i + 3)) return count(tokens[i] as TitleToken);
    return null; // "20 x 30 cm", "4 x 4": a size or a model
  }
  // "2 x Ariel pods": a count of the named product; not a unit or a length.
  if (after.kind === 'word' && !isLengthUnit(tokens, i + 2) && !isMeasureUnit(tokens, i + 2)) {
    return count(tokens[i] as TitleToken);
  }
  return null;
}

/** "Coca-Cola x6", "Lot x 8)", "Bière 33cl - x24": an `x` count that ends a phrase. */
function freeStandingTimes(tokens: readonly TitleToken[], i: number): number | null {
  const previous = tokens[i - 1];
  // "6 x …" and "33cl x 24" are read from their number; "rtx" is one word already.
  if (previous?.kind === 'num') return null;
  if (previous && isMeasureUnit(tokens, i - 1)) return null;
  if (previous && MODEL_WORDS.has(previous.text)) return null;
  const n = tokens[i + 1];
  if (!n || n.kind !== 'num') return null;
  const after = tokens[i + 2];
  const endsPhrase =
    after === undefined ||
    after.kind === 'punct' ||
    (after.kind === 'num' && isMeasureUnit(tokens, i + 3)) ||
    (after.kind === 'word' &&
      !after.glued &&
      (PACK_NOUNS.has(after.text) || UNIT_NOUNS.has(after.text)));
  // "X100S", "x 30 cm" and "Xperia X10 Smartphone" are models or sizes.
  if (!endsPhrase || isMeasureUnit(tokens, i + 2) || isLengthUnit(tokens, i + 2)) return null;
  return count(n);
}

function count(t: TitleToken): number | null {
  const n = t.value;
  return Number.isInteger(n) && n >= 1 && n <= MAX_PACK ? n : null;
}
