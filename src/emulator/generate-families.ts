/**
 * Product lines with variant values, in the six EU languages, for the labelled hard cases
 * (`generate-labelled.ts`): a line is a brand and a product sold in several flavours, colours or
 * scents and in a unit measure that packs multiply.
 */
export interface ProductLine {
  brand: string;
  /** The line's name with `{v}` where the variant value goes. */
  name: string;
  variants: string[];
  /** The unit's measure ("33 cl", "400 g"), or '' for goods counted in pieces. */
  measure: string;
  language: 'fr' | 'en' | 'de' | 'es' | 'it' | 'nl';
}

export const PRODUCT_LINES: ProductLine[] = [
  { brand: 'Andros', name: 'Confiture {v}', variants: ['fraise', 'abricot', 'cerise', 'framboise'], measure: '370 g', language: 'fr' },
  { brand: 'Oasis', name: 'Boisson {v}', variants: ['orange', 'pomme cassis', 'pêche', 'framboise'], measure: '33 cl', language: 'fr' },
  { brand: 'Nivea', name: 'Gel douche {v}', variants: ['vanille', 'lavande', 'coco', 'menthe'], measure: '250 ml', language: 'fr' },
  { brand: 'Stabilo', name: 'Surligneur Boss {v}', variants: ['jaune', 'rose', 'vert', 'bleu'], measure: '', language: 'fr' },
  { brand: 'Monster', name: 'Energy drink {v} flavour', variants: ['mango', 'lemon', 'cherry', 'peach'], measure: '500 ml', language: 'en' },
  { brand: 'Pilot', name: 'G2 gel pen {v}', variants: ['black', 'blue', 'red', 'green'], measure: '', language: 'en' },
  { brand: 'Haribo', name: 'Fruchtgummi {v}', variants: ['Kirsche', 'Zitrone', 'Erdbeere', 'Himbeere'], measure: '200 g', language: 'de' },
  { brand: 'Balea', name: 'Duschgel {v}', variants: ['Vanille', 'Lavendel', 'Kokos', 'Pfirsich'], measure: '300 ml', language: 'de' },
  { brand: 'Cola Cao', name: 'Batido sabor {v}', variants: ['chocolate', 'vainilla', 'fresa', 'plátano'], measure: '200 ml', language: 'es' },
  { brand: 'Bic', name: 'Bolígrafo Cristal {v}', variants: ['negro', 'azul', 'rojo', 'verde'], measure: '', language: 'es' },
  { brand: 'San Benedetto', name: 'Tè freddo {v}', variants: ['limone', 'pesca', 'menta', 'mango'], measure: '1,5 l', language: 'it' },
  { brand: 'Mulino Bianco', name: 'Crostatine {v}', variants: ['albicocca', 'cioccolato', 'ciliegia', 'fragola'], measure: '400 g', language: 'it' },
  { brand: 'Hak', name: 'Siroop {v}', variants: ['framboos', 'sinaasappel', 'citroen', 'aardbei'], measure: '75 cl', language: 'nl' },
  { brand: 'Zwitsal', name: 'Badschuim {v}', variants: ['lavendel', 'vanille', 'kokos', 'aloe'], measure: '400 ml', language: 'nl' },
]; // prettier-ignore

/** How each language writes a multipack of `n` units of `unit` ("Lot de 6", "6er Pack"…). */
export const PACK_PHRASINGS: Record<ProductLine['language'], ((n: number, m: string) => string)[]> = {
  fr: [
    (n) => `- Lot de ${n}`,
    (n) => `(Pack de ${n})`,
    (n, m) => (m ? `${n} x ${m}` : `x${n}`),
    (n) => `x${n}`,
    (n) => `, carton de ${n}`,
  ],
  en: [(n) => `- Pack of ${n}`, (n, m) => (m ? `(${n} x ${m})` : `${n}-Pack`), (n) => `x ${n}`],
  de: [(n) => `${n}er Pack`, (n, m) => (m ? `${n} x ${m}` : `${n}er-Set`), (n) => `(Packung mit ${n})`],
  es: [(n) => `paquete de ${n}`, (n) => `(Pack de ${n})`, (n, m) => (m ? `${n} x ${m}` : `lote de ${n}`)],
  it: [(n) => `confezione da ${n}`, (n, m) => (m ? `${n} x ${m}` : `x${n}`), (n) => `(conf. da ${n})`],
  nl: [(n) => `verpakking van ${n}`, (n, m) => (m ? `${n} x ${m}` : `${n} stuks`), (n) => `multipack ${n}`],
}; // prettier-ignore

/** How a renewed copy's title is marked, per language; '' means only the offer says so. */
export const RENEWED_MARKS: Record<ProductLine['language'], ((t: string) => string)[]> = {
  fr: [(t) => `${t} (Reconditionné)`, (t) => `Reconditionné - ${t}`, (t) => t],
  en: [(t) => `${t} (Renewed)`, (t) => `${t} - Refurbished`, (t) => t],
  de: [(t) => `${t} (Generalüberholt)`, (t) => `${t} - gebraucht`],
  es: [(t) => `${t} (Reacondicionado)`, (t) => t],
  it: [(t) => `${t} (Ricondizionato)`, (t) => t],
  nl: [(t) => `${t} (Refurbished)`, (t) => t],
};
