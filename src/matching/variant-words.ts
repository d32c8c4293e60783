import { MEASURE_UNITS, tokenizeTitle, type TitleToken } from './title-tokens.js';

/** A dimension along which variation siblings differ (`flavour` holds scents too). */
export type VariantDimension = 'colour' | 'flavour' | 'size' | 'measure';

// Each value with its words in FR/EN/DE/ES/IT/NL (folded: lower case, no accents). A word
// names one value; the same value in two languages is the same value ("rouge" = "red").
const VALUES: Record<Exclude<VariantDimension, 'measure'>, Record<string, readonly string[]>> = {
  colour: {
    black: ['black', 'noir', 'noire', 'schwarz', 'negro', 'negra', 'nero', 'nera', 'zwart'],
    white: ['white', 'blanc', 'blanche', 'weiss', 'blanco', 'blanca', 'bianco', 'bianca', 'wit'],
    red: ['red', 'rouge', 'rot', 'rojo', 'roja', 'rosso', 'rossa', 'rood'],
    blue: ['blue', 'bleu', 'bleue', 'blau', 'azul', 'blu', 'blauw'],
    green: ['green', 'vert', 'verte', 'grun', 'gruen', 'verde', 'groen'],
    yellow: ['yellow', 'jaune', 'gelb', 'amarillo', 'giallo', 'geel'],
    pink: ['pink', 'rose', 'rosa', 'roze'],
    purple: ['purple', 'violet', 'violette', 'lila', 'morado', 'viola', 'paars'],
    grey: ['grey', 'gray', 'gris', 'grise', 'grau', 'grigio', 'grijs'],
    brown: ['brown', 'marron', 'braun', 'marrone', 'bruin'],
    silver: ['silver', 'argent', 'argente', 'silber', 'plata', 'argento', 'zilver'],
    gold: ['gold', 'golden', 'dore', 'doree', 'oro', 'goud'],
    beige: ['beige'],
    turquoise: ['turquoise', 'turkis', 'turquesa', 'turchese', 'turkoois'],
  },
  flavour: {
    vanilla: ['vanilla', 'vanille', 'vainilla', 'vaniglia'],
    chocolate: ['chocolate', 'chocolat', 'schokolade', 'cioccolato', 'chocolade', 'choco'],
    strawberry: ['strawberry', 'fraise', 'erdbeere', 'erdbeer', 'fresa', 'fragola', 'aardbei'],
    lemon: ['lemon', 'citron', 'zitrone', 'limon', 'limone', 'citroen'],
    lime: ['lime', 'limette', 'lima'],
    orange: ['orange', 'naranja', 'arancia', 'arancione', 'sinaasappel'],
    cherry: ['cherry', 'cerise', 'kirsche', 'cereza', 'ciliegia', 'kers'],
    raspberry: ['raspberry', 'framboise', 'himbeere', 'frambuesa', 'lampone', 'framboos'],
    peach: ['peach', 'peche', 'pfirsich', 'melocoton', 'pesca', 'perzik'],
    apple: ['apple', 'pomme', 'apfel', 'manzana', 'mela', 'appel'],
    mango: ['mango', 'mangue'],
    coconut: ['coconut', 'coco', 'kokos'],
    caramel: ['caramel', 'karamell', 'caramelo', 'caramello', 'karamel'],
    mint: ['mint', 'menthe', 'minze', 'menta', 'munt'],
    hazelnut: ['hazelnut', 'noisette', 'haselnuss', 'avellana', 'nocciola', 'hazelnoot'],
    banana: ['banana', 'banane', 'platano', 'banaan'],
    coffee: ['coffee', 'cafe', 'kaffee', 'caffe', 'koffie'],
    honey: ['honey', 'miel', 'honig', 'miele', 'honing'],
    apricot: ['apricot', 'abricot', 'aprikose', 'albaricoque', 'albicocca', 'abrikoos'],
    pineapple: ['pineapple', 'ananas', 'pina'],
    blackcurrant: ['blackcurrant', 'cassis', 'johannisbeere', 'grosella', 'ribes'],
    grapefruit: ['grapefruit', 'pamplemousse', 'pomelo', 'pompelmo'],
    pear: ['pear', 'poire', 'birne', 'pera', 'peer'],
    melon: ['melon', 'melone', 'meloen', 'watermelon', 'pasteque', 'sandia', 'anguria'],
    paprika: ['paprika'],
    salt: ['salted', 'salee', 'gesalzen', 'salado', 'salato', 'gezouten'],
    cheese: ['cheese', 'fromage', 'kase', 'queso', 'formaggio', 'kaas'],
    // Scents: a shower gel in lavender and one in mint are siblings as two jams are.
    lavender: ['lavender', 'lavande', 'lavendel', 'lavanda'],
    jasmine: ['jasmine', 'jasmin', 'jazmin', 'gelsomino', 'jasmijn'],
    citrus: ['citrus', 'agrumes', 'zitrus', 'citricos', 'agrumi'],
    aloe: ['aloe'],
    eucalyptus: ['eucalyptus', 'eukalyptus', 'eucalipto'],
    musk: ['musk', 'musc', 'moschus', 'almizcle', 'muschio'],
    sandalwood: ['sandalwood', 'santal', 'sandelholz', 'sandalo'],
  },
  size: {
    xs: ['xs'],
    xl: ['xl'],
    xxl: ['xxl', '2xl'],
    xxxl: ['xxxl', '3xl'],
    small: ['small', 'petit', 'petite', 'klein', 'kleine', 'pequeno', 'piccolo', 'piccola'],
    medium: ['medium', 'moyen', 'moyenne', 'mittel', 'mediano', 'medio', 'middel'],
    large: ['large', 'grand', 'grande', 'gross', 'grosse', 'groot'],
  },
};

const DIMENSION_OF = new Map<string, [VariantDimension, string]>();
for (const [dimension, values] of Object.entries(VALUES)) {
  for (const [value, words] of Object.entries(values)) {
    for (const w of words) DIMENSION_OF.set(w, [dimension as VariantDimension, value]);
  }
}

/** The variant values a title names, per dimension (measures as "500g", "1000ml" in base units). */
export type VariantValues = Map<VariantDimension, Set<string>>;

/** Reads colour, flavour, scent, size words and measured quantities from a title. */
export function variantValues(text: string): VariantValues {
  const tokens = tokenizeTitle(text);
  const out: VariantValues = new Map();
  const add = (d: VariantDimension, v: string) => {
    const set = out.get(d) ?? new Set<string>();
    set.add(v);
    out.set(d, set);
  };
  tokens.forEach((t, i) => {
    if (t.kind === 'word') {
      const found = DIMENSION_OF.get(t.text);
      if (found) add(found[0], found[1]);
    } else if (t.kind === 'num') {
      const measure = measureAt(tokens, i);
      if (measure) add('measure', measure);
    }
  });
  return out;
}

function measureAt(tokens: readonly TitleToken[], i: number): string | null {
  const unit = tokens[i + 1];
  const spec = unit?.kind === 'word' ? MEASURE_UNITS.get(unit.text) : undefined;
  if (!spec) return null;
  const base = Math.round((tokens[i] as TitleToken).value * spec.factor * 10) / 10;
  return `${base}${spec.dimension === 'mass' ? 'g' : 'ml'}`;
}

/** A dimension on which a row and a listing name different values. */
export interface VariantConflict {
  dimension: VariantDimension;
  row: string[];
  listing: string[];
}

/**
 * The first dimension on which the row and the listing each name a value the other lacks
 * ("cherry" against "lemon", "500g" against "1000g"). One side naming nothing is no conflict: a
 * supplier title often leaves the colour out.
 */
export function variantConflict(rowTitle: string, listingTitle: string): VariantConflict | null {
  const row = variantValues(rowTitle);
  const listing = variantValues(listingTitle);
  for (const [dimension, rowValues] of row) {
    const listed = listing.get(dimension);
    if (!listed) continue;
    const rowOnly = [...rowValues].filter((v) => !listed.has(v));
    const listingOnly = [...listed].filter((v) => !rowValues.has(v));
    if (rowOnly.length > 0 && listingOnly.length > 0) {
      return { dimension, row: rowOnly, listing: listingOnly };
    }
  }
  return null;
}
