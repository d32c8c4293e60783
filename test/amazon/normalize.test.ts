import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeItem } from '../../src/amazon/normalize.js';

const ctx = {
  marketplace: 'www.amazon.fr',
  source: 'creators',
  fetchedAt: new Date('2026-11-27T00:00:00Z'),
};

// searchItems example of reference §1.12 (Creators, camelCase).
const creatorsItem = {
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

// PA-API SearchItems-by-UPC sample of reference §2.5 (PascalCase).
const paapiItem = {
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
  OffersV2: {
    Listings: [{ Price: { Money: { Amount: 52.16, Currency: 'USD', DisplayAmount: '$52.16' } } }],
  },
  ParentASIN: 'B0PARENT01',
  VariationAttributes: [{ Name: 'Format', Value: 'Paperback' }],
  CustomerReviews: { Count: 1234, StarRating: { Value: 4.8 } },
};

describe('normalizeItem', () => {
  it('reads a Creators API item (camelCase)', () => {
    const p = normalizeItem(creatorsItem, ctx);
    assert.deepEqual(p, {
      asin: 'B0EXAMPLE1',
      title: 'Pâte à tartiner 400 g',
      brand: 'ExampleBrand',
      manufacturer: null,
      price: 4.29,
      currency: 'EUR',
      category: 'Epicerie',
      rating: null,
      review_count: null,
      images: ['https://m.media-amazon.com/images/I/41EXAMPLE._SL160_.jpg'],
      availability: 'En stock',
      condition: null,
      prime_eligible: null,
      sales_rank: 153,
      detail_page_url: 'https://www.amazon.fr/dp/B0EXAMPLE1?tag=xyz-21&linkCode=osi&th=1&psc=1',
      parent_asin: null,
      variation_attributes: null,
      unit_count: null,
      external_ids: { eans: ['3017620422003'], upcs: [], isbns: [] },
      marketplace: 'www.amazon.fr',
      source: 'creators',
      fetched_at: '2026-11-27T00:00:00.000Z',
    });
  });

  it('reads a PA-API item (PascalCase) the same way', () => {
    const p = normalizeItem(paapiItem, { ...ctx, source: 'paapi', marketplace: 'www.amazon.com' });
    assert.ok(p);
    assert.equal(p.asin, '0545162076');
    assert.equal(p.title, 'Harry Potter Paperback Box Set (Books 1-7)');
    assert.deepEqual(p.external_ids, {
      eans: ['9780545162074', '0717356278525'],
      upcs: ['717356278525'],
      isbns: [],
    });
    assert.deepEqual([p.price, p.currency], [52.16, 'USD']);
    assert.deepEqual(p.images, ['https://m.media-amazon.com/images/I/41XlFN304wL._SL160_.jpg']);
    assert.equal(p.parent_asin, 'B0PARENT01');
    assert.deepEqual(p.variation_attributes, { Format: 'Paperback' });
    assert.deepEqual([p.rating, p.review_count], [4.8, 1234]);
    assert.equal(p.prime_eligible, null);
  });

  it('tolerates explicit nulls, unknown fields and missing containers', () => {
    const p = normalizeItem(
      {
        asin: 'B0NULLS001',
        browseNodeInfo: null,
        offersV2: null,
        images: { primary: { large: null, hiRes: null } },
        itemInfo: { title: null, externalIds: { eans: null } },
        somethingNew: { x: 1 },
      },
      ctx,
    );
    assert.ok(p);
    assert.deepEqual(
      [p.title, p.price, p.sales_rank, p.category, p.images.length],
      [null, null, null, null, 0],
    );
    assert.deepEqual(p.external_ids, { eans: [], upcs: [], isbns: [] });
  });

  it('prefers the buy-box listing, the largest image and the product group', () => {
    const p = normalizeItem(
      {
        asin: 'B0PICK0001',
        images: {
          primary: { small: { url: 's' }, large: { url: 'L' } },
          variants: [{ medium: { url: 'v1' } }, { large: { url: 'L' } }],
        },
        itemInfo: {
          classifications: {
            productGroup: { displayValue: 'Jouets' },
            binding: { displayValue: 'Jouet' },
          },
        },
        offersV2: {
          listings: [
            { price: { money: { amount: 9, currency: 'EUR' } } },
            {
              isBuyBoxWinner: true,
              price: { money: { amount: 7.5, currency: 'EUR' } },
              availability: { type: 'OUT_OF_STOCK' },
            },
          ],
        },
        browseNodeInfo: {
          browseNodes: [
            { displayName: 'A', salesRank: 50 },
            { displayName: 'B', salesRank: 12 },
          ],
        },
      },
      ctx,
    );
    assert.ok(p);
    assert.deepEqual(
      [p.price, p.availability, p.category, p.sales_rank],
      [7.5, 'OUT_OF_STOCK', 'Jouets', 12],
    );
    assert.deepEqual(p.images, ['L', 'v1']);
  });

  it('returns null for an item without ASIN', () => {
    assert.equal(normalizeItem({ itemInfo: {} }, ctx), null);
    assert.equal(normalizeItem(null, ctx), null);
  });
});
