/** Roles a column can play in an input file. */
export type ColumnRole = 'code' | 'title' | 'brand' | 'price' | 'quantity' | 'asin';

/**
 * Header names per role in English, French, German, Spanish and Italian, compared after
 * {@link normaliseHeader}. `exact` must be the whole header; `words` may appear as a word of a
 * longer header ("EAN fournisseur"), `phrases` anywhere in the squeezed header.
 */
const NAMES: Record<ColumnRole, { exact: string[]; words: string[]; phrases: string[] }> = {
  code: {
    exact: [
      'ean',
      'ean13',
      'ean8',
      'eancode',
      'codeean',
      'gtin',
      'gtin8',
      'gtin12',
      'gtin13',
      'gtin14',
      'upc',
      'upca',
      'upce',
      'upccode',
      'isbn',
      'isbn10',
      'isbn13',
      'issn',
      'jan',
      'jancode',
      'barcode',
      'barcodes',
      'eanupc',
      'upcean',
      'eangtin',
      'gtinean',
      'eannummer',
      'eannumber',
      'upcnumber',
      'codebarre',
      'codebarres',
      'codesbarres',
      'codeabarres',
      'gencod',
      'gencode',
      'codegencod',
      'numeroean',
      'strichcode',
      'gtinnummer',
      'codigodebarras',
      'codigobarras',
      'codigoean',
      'codigoupc',
      'codigogtin',
      'codiceabarre',
      'codicebarre',
      'codiceean',
      'codiceupc',
      'codicegtin',
      'globaltradeitemnumber',
      'europeanarticlenumber',
      'europaischeartikelnummer',
    ],
    words: ['ean', 'ean13', 'gtin', 'upc', 'isbn', 'barcode', 'gencod', 'strichcode'],
    phrases: [
      'barcode',
      'codebarre',
      'codesbarres',
      'codeabarres',
      'strichcode',
      'codigodebarras',
      'codigobarras',
      'codiceabarre',
      'codicebarre',
    ],
  },
  title: {
    exact: [
      'title',
      'name',
      'productname',
      'producttitle',
      'itemname',
      'product',
      'description',
      'productdescription',
      'titre',
      'nom',
      'nomduproduit',
      'nomproduit',
      'libelle',
      'designation',
      'produit',
      'article',
      'titel',
      'produktname',
      'bezeichnung',
      'artikelbezeichnung',
      'beschreibung',
      'artikelname',
      'titulo',
      'nombre',
      'nombredelproducto',
      'descripcion',
      'producto',
      'articulo',
      'titolo',
      'nome',
      'nomeprodotto',
      'descrizione',
      'prodotto',
      'articolo',
      'denominazione',
    ],
    words: ['title', 'titre', 'titel', 'titulo', 'titolo', 'libelle', 'designation', 'bezeichnung'],
    phrases: ['productname', 'produktname', 'nomduproduit', 'nomeprodotto', 'nombredelproducto'],
  },
  brand: {
    exact: [
      'brand',
      'brandname',
      'manufacturer',
      'make',
      'marque',
      'fabricant',
      'marke',
      'hersteller',
      'marca',
      'fabricante',
      'marchio',
      'produttore',
    ],
    words: [
      'brand',
      'marque',
      'marke',
      'marca',
      'marchio',
      'manufacturer',
      'hersteller',
      'fabricant',
    ],
    phrases: [],
  },
  price: {
    exact: [
      'price',
      'unitprice',
      'cost',
      'rrp',
      'msrp',
      'prix',
      'prixunitaire',
      'tarif',
      'prixht',
      'prixttc',
      'preis',
      'stuckpreis',
      'einzelpreis',
      'vkpreis',
      'precio',
      'preciounitario',
      'prezzo',
      'prezzounitario',
    ],
    words: ['price', 'prix', 'preis', 'precio', 'prezzo', 'tarif'],
    phrases: ['price', 'preis'],
  },
  quantity: {
    exact: [
      'quantity',
      'qty',
      'stock',
      'units',
      'quantite',
      'qte',
      'menge',
      'anzahl',
      'bestand',
      'stuckzahl',
      'cantidad',
      'existencias',
      'unidades',
      'quantita',
      'qta',
      'giacenza',
      'pezzi',
    ],
    words: ['quantity', 'qty', 'quantite', 'qte', 'menge', 'anzahl', 'cantidad', 'quantita', 'qta'],
    phrases: [],
  },
  asin: {
    exact: ['asin', 'amazonasin', 'asincode', 'codeasin', 'codigoasin', 'codiceasin'],
    words: ['asin'],
    phrases: [],
  },
};

/** Lower case, accents removed, only letters and digits: "Código de barras" → "codigodebarras". */
export function normaliseHeader(header: string): string {
  return headerWords(header).join('');
}

function headerWords(header: string): string[] {
  return header
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** A header recognised for a role: 2 for a full name, 1 for a word or phrase inside it, 0 for none. */
export interface HeaderMatch {
  score: 0 | 1 | 2;
  /** The known name that matched. */
  name: string;
}

/** How well `header` names a column of `role`. */
export function matchHeader(header: string | null, role: ColumnRole): HeaderMatch {
  if (!header) return { score: 0, name: '' };
  const names = NAMES[role];
  const squeezed = normaliseHeader(header);
  if (names.exact.includes(squeezed)) return { score: 2, name: squeezed };
  const words = headerWords(header).flatMap((w) => w.split(/(?<=[a-z])(?=\d)/));
  const word = names.words.find((w) => words.includes(w));
  if (word) return { score: 1, name: word };
  const phrase = names.phrases.find((p) => squeezed.includes(p));
  return phrase ? { score: 1, name: phrase } : { score: 0, name: '' };
}

/** Whether `header` names any known column (used to decide whether row 1 is a header). */
export function isKnownHeader(header: string | null): boolean {
  return (Object.keys(NAMES) as ColumnRole[]).some((role) => matchHeader(header, role).score > 0);
}
