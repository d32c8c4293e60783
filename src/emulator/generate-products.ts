import type { CatalogProduct } from './catalog.js';
import { gs1CheckDigit, isbn10CheckDigit } from './gtin.js';
import type { Random } from './random.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const IMG = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A product family: search index, browse node, brands, names, sizes, price range. */
export interface Category {
  searchIndex: string;
  node: string;
  nodeName: string;
  parentNodeName: string;
  brands: string[];
  names: string[];
  sizes: string[];
  price: [number, number];
}

/** The families the generator draws from (French marketplace). */
export const CATEGORIES: Category[] = [
  {
    searchIndex: 'GroceryAndGourmetFood',
    node: '6356734031',
    nodeName: 'Confitures et pâtes à tartiner',
    parentNodeName: 'Épicerie',
    brands: ['Bonne Maman', 'Lustucru', 'Saint Michel', 'Panzani', 'Lu', 'Carte Noire', 'Andros'],
    names: [
      'Confiture de fraises',
      'Pâtes coquillettes',
      'Galettes bretonnes',
      'Café moulu',
      'Sauce tomate basilic',
      'Biscuits sablés',
      'Compote pomme',
    ],
    sizes: ['250 g', '370 g', '500 g', '1 kg', 'lot de 6'],
    price: [1.2, 12],
  },
  {
    searchIndex: 'Beauty',
    node: '211709031',
    nodeName: 'Soins du corps',
    parentNodeName: 'Beauté et Parfum',
    brands: ['Nivea', 'Garnier', "L'Oréal Paris", 'Dove', 'Klorane', 'Mixa'],
    names: ['Crème hydratante', 'Shampooing doux', 'Gel douche', 'Déodorant bille', 'Lait corps'],
    sizes: ['50 ml', '200 ml', '250 ml', '400 ml'],
    price: [2.5, 25],
  },
  {
    searchIndex: 'ToysAndGames',
    node: '322088031',
    nodeName: 'Jeux de construction',
    parentNodeName: 'Jeux et Jouets',
    brands: ['Lego', 'Playmobil', 'Hasbro', 'Djeco', 'Smoby', 'Ravensburger'],
    names: [
      'Jeu de société',
      'Puzzle 1000 pièces',
      'Figurine',
      'Coffret de construction',
      'Voiture télécommandée',
    ],
    sizes: ['', 'dès 6 ans', 'dès 3 ans'],
    price: [8, 90],
  },
  {
    searchIndex: 'Electronics',
    node: '13910691',
    nodeName: 'Accessoires informatiques',
    parentNodeName: 'High-Tech',
    brands: ['Philips', 'Sony', 'Logitech', 'Samsung', 'Anker', 'Belkin'],
    names: [
      'Souris sans fil',
      'Câble USB-C',
      'Écouteurs intra-auriculaires',
      'Chargeur rapide 20 W',
      'Clavier Bluetooth',
    ],
    sizes: ['noir', 'blanc', '1 m', '2 m'],
    price: [9, 120],
  },
  {
    searchIndex: 'HomeAndKitchen',
    node: '57004031',
    nodeName: 'Ustensiles de cuisine',
    parentNodeName: 'Cuisine et Maison',
    brands: ['Tefal', 'Seb', 'Moulinex', 'Le Creuset', 'Cristel'],
    names: ['Poêle', 'Bouilloire électrique', 'Casserole inox', 'Set de couteaux', 'Cocotte fonte'],
    sizes: ['20 cm', '24 cm', '28 cm', '1,7 L'],
    price: [15, 180],
  },
  {
    searchIndex: 'OfficeProducts',
    node: '192419031',
    nodeName: 'Stylos et écriture',
    parentNodeName: 'Fournitures de bureau',
    brands: ['Bic', 'Stabilo', 'Clairefontaine', 'Oxford', 'Maped', 'Pilot'],
    names: [
      'Stylos bille',
      'Surligneurs',
      'Cahier grands carreaux',
      'Ciseaux',
      'Feutres de coloriage',
    ],
    sizes: ['x 4', 'x 10', '96 pages', '21 cm'],
    price: [1.5, 20],
  },
];

/** The books family (ASIN = ISBN-10). */
export const BOOKS: Category = {
  searchIndex: 'Books',
  node: '301132',
  nodeName: 'Littérature française',
  parentNodeName: 'Livres',
  brands: ['Folio', 'Gallimard', 'Le Livre de Poche', 'Pocket', 'Points'],
  names: [
    'Le Petit Prince',
    "L'Étranger",
    'Les Misérables',
    'Madame Bovary',
    'Germinal',
    'Candide',
    'Notre-Dame de Paris',
    'Bel-Ami',
    'La Peste',
  ],
  sizes: ['poche', 'édition illustrée', 'édition collector'],
  price: [5, 25],
};

/** Code and ASIN factory that never repeats a value. */
export class CodeFactory {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Random) {}

  private unique(make: () => string): string {
    for (;;) {
      const v = make();
      if (!this.used.has(v)) {
        this.used.add(v);
        return v;
      }
    }
  }

  /** French EAN-13 (prefix 30–37). */
  ean13(): string {
    return this.unique(() => {
      const body = `3${this.rng.int(0, 7)}${this.rng.chars(10, '0123456789')}`;
      return body + gs1CheckDigit(body);
    });
  }

  /** UPC-A (12 digits, number system 0, 6, 7 or 8). */
  upcA(): string {
    return this.unique(() => {
      const body = `${this.rng.pick(['0', '6', '7', '8'])}${this.rng.chars(10, '0123456789')}`;
      return body + gs1CheckDigit(body);
    });
  }

  /** French ISBN-10 (group 2). */
  isbn10(): string {
    return this.unique(() => {
      const body = `2${this.rng.chars(8, '0123456789')}`;
      return body + isbn10CheckDigit(body);
    });
  }

  /** A `B0…` ASIN. */
  asin(): string {
    return this.unique(() => `B0${this.rng.chars(8, ALNUM)}`);
  }
}

/** Builds one product of a family with realistic data. */
export function makeProduct(
  rng: Random,
  codes: CodeFactory,
  cat: Category,
  asin?: string,
): CatalogProduct {
  const brand = rng.pick(cat.brands);
  const size = rng.pick(cat.sizes);
  const title = [
    cat === BOOKS ? `${rng.pick(cat.names)} -` : brand,
    cat === BOOKS ? brand : rng.pick(cat.names),
    size,
  ]
    .filter((s) => s !== '')
    .join(' ');
  const price = Math.round((cat.price[0] + rng.next() * (cat.price[1] - cat.price[0])) * 100) / 100;
  return {
    asin: asin ?? codes.asin(),
    title,
    brand,
    manufacturer: brand,
    price,
    currency: 'EUR',
    availability: rng.chance(0.9) ? 'IN_STOCK' : 'IN_STOCK_SCARCE',
    rating: Math.round((3 + rng.next() * 2) * 10) / 10,
    reviewCount: rng.int(0, 5000),
    salesRank: rng.int(100, 300_000),
    images: [`https://m.media-amazon.com/images/I/${rng.chars(11, IMG)}.jpg`],
    browseNodeId: cat.node,
    category: cat.nodeName,
    searchIndex: cat.searchIndex,
  };
}
