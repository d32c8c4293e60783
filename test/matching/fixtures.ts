import assert from 'node:assert/strict';
import { normalizeItem } from '../../src/amazon/normalize.js';
import type { AmazonProduct } from '../../src/amazon/product.js';
import { parseCode, type ValidCode } from '../../src/codes/index.js';

/** A valid code, parsed by the codes module as the worker does. */
export function code(raw: string): ValidCode {
  const parsed = parseCode(raw);
  assert.ok(parsed.valid, `fixture code ${raw} must be valid`);
  return parsed;
}

/** A normalised product with every field present; override what the test is about. */
export function product(
  overrides: Partial<Omit<AmazonProduct, 'external_ids'>> & {
    asin: string;
    eans?: string[];
    upcs?: string[];
    isbns?: string[];
  },
): AmazonProduct {
  const { eans = [], upcs = [], isbns = [], ...rest } = overrides;
  return {
    title: null,
    brand: null,
    manufacturer: null,
    price: null,
    currency: null,
    category: null,
    rating: null,
    review_count: null,
    images: [],
    availability: null,
    prime_eligible: null,
    sales_rank: null,
    detail_page_url: `https://www.amazon.fr/dp/${overrides.asin}`,
    parent_asin: null,
    variation_attributes: null,
    marketplace: 'www.amazon.fr',
    source: 'creators',
    fetched_at: '2026-11-27T10:00:00.000Z',
    ...rest,
    external_ids: { eans, upcs, isbns },
  };
}

/** Normalises one raw item of a Creators API (camelCase) or PA-API (PascalCase) response. */
export function fromWire(item: unknown, marketplace = 'www.amazon.fr'): AmazonProduct {
  const source = typeof item === 'object' && item !== null && 'ASIN' in item ? 'paapi' : 'creators';
  const normalized = normalizeItem(item, { marketplace, source, fetchedAt: new Date(0) });
  assert.ok(normalized, 'fixture item must have an ASIN');
  return normalized;
}

/** Creators API searchItems item for `keywords: "3017620422003"` on amazon.fr (reference §1.12). */
export const CREATORS_SPREAD = {
  asin: 'B0EXAMPLE1',
  detailPageURL: 'https://www.amazon.fr/dp/B0EXAMPLE1?tag=xyz-21&linkCode=osi&th=1&psc=1',
  images: {
    primary: {
      medium: {
        url: 'https://m.media-amazon.com/images/I/41EXAMPLE._SL160_.jpg',
        height: 160,
        width: 120,
      },
    },
  },
  itemInfo: {
    title: { displayValue: 'Pâte à tartiner 400 g', label: 'Title', locale: 'fr_FR' },
    byLineInfo: { brand: { displayValue: 'ExampleBrand', label: 'Brand', locale: 'fr_FR' } },
    externalIds: { eans: { displayValues: ['3017620422003'], label: 'EAN', locale: 'fr_FR' } },
  },
  browseNodeInfo: {
    websiteSalesRank: { displayName: 'Epicerie', contextFreeName: 'Epicerie', salesRank: 153 },
  },
  offersV2: {
    listings: [
      {
        availability: {
          type: 'IN_STOCK',
          message: 'En stock',
          minOrderQuantity: 1,
          maxOrderQuantity: 10,
        },
        isBuyBoxWinner: true,
        price: { money: { amount: 4.29, currency: 'EUR', displayAmount: '4,29 €' } },
      },
    ],
  },
};

/** A Creators API item that merely shares a word with the search (search noise). */
export function creatorsNoise(asin: string, title: string, eans: string[] = []): unknown {
  return {
    asin,
    detailPageURL: `https://www.amazon.fr/dp/${asin}`,
    itemInfo: {
      title: { displayValue: title, label: 'Title', locale: 'fr_FR' },
      byLineInfo: { brand: { displayValue: 'OtherBrand', label: 'Brand', locale: 'fr_FR' } },
      ...(eans.length > 0
        ? { externalIds: { eans: { displayValues: eans, label: 'EAN', locale: 'fr_FR' } } }
        : {}),
    },
  };
}

/** PA-API 5.0 SearchItems item for `Keywords: "717356278525"` (reference §2.5). */
export const PAAPI_HARRY_POTTER = {
  ASIN: '0545162076',
  DetailPageURL: 'https://www.amazon.com/dp/0545162076?tag=xyz-20&linkCode=osi&th=1&psc=1',
  Images: {
    Primary: {
      Medium: {
        Height: 77,
        URL: 'https://m.media-amazon.com/images/I/41XlFN304wL._SL160_.jpg',
        Width: 160,
      },
    },
  },
  ItemInfo: {
    ExternalIds: {
      EANs: { DisplayValues: ['9780545162074', '0717356278525'], Label: 'EAN', Locale: 'en_US' },
      UPCs: { DisplayValues: ['717356278525'], Label: 'UPC', Locale: 'en_US' },
    },
    Title: {
      DisplayValue: 'Harry Potter Paperback Box Set (Books 1-7)',
      Label: 'Title',
      Locale: 'en_US',
    },
  },
};

/** A PA-API variation family: a parent (no ids) and two children, one listing the code. */
export function paapiVariationFamily(ean: string): unknown[] {
  const title = (size: string) => ({
    DisplayValue: `Trail Running Shoe ${size}`,
    Label: 'Title',
    Locale: 'en_US',
  });
  return [
    { ASIN: 'B0PARENT01', ParentASIN: 'B0PARENT01', ItemInfo: { Title: title('') } },
    {
      ASIN: 'B0CHILD042',
      ParentASIN: 'B0PARENT01',
      VariationAttributes: [{ Name: 'size_name', Value: '42' }],
      ItemInfo: {
        Title: title('42'),
        ExternalIds: { EANs: { DisplayValues: [ean], Label: 'EAN', Locale: 'en_US' } },
      },
    },
    {
      ASIN: 'B0CHILD043',
      ParentASIN: 'B0PARENT01',
      VariationAttributes: [{ Name: 'size_name', Value: '43' }],
      ItemInfo: {
        Title: title('43'),
        ExternalIds: { EANs: { DisplayValues: ['4006381333948'], Label: 'EAN', Locale: 'en_US' } },
      },
    },
  ];
}
