/**
 * The normalised product: one shape whatever the provider. It lives in `matching/` because
 * matching scores it and must not import `amazon/` (layers are one-way: amazon → matching);
 * `amazon/product.ts` re-exports it for the providers and normalisers. Field names follow the original
 * system (`asin`, `title`, `price`, `currency`, `category`, `rating`, `review_count`, `images`,
 * `availability`, `prime_eligible`) plus what matching and enrichment need. A field the provider
 * cannot give is `null`, never invented.
 */
export interface AmazonProduct {
  asin: string;
  title: string | null;
  brand: string | null;
  manufacturer: string | null;
  /** Price of the buy-box (or first) OffersV2 listing, in major units (12.99). */
  price: number | null;
  currency: string | null;
  /** Product group / binding, or the first browse node name. */
  category: string | null;
  /** Average star rating (1–5); the Creators API gives it only through SDK-only resources. */
  rating: number | null;
  review_count: number | null;
  /** Image URLs, primary first (largest size available). */
  images: string[];
  /** Availability message or type of the listing ("In Stock", "Out of Stock"…). */
  availability: string | null;
  /** The Creators API and PA-API OffersV2 give no Prime flag: always null from them. */
  prime_eligible: boolean | null;
  sales_rank: number | null;
  detail_page_url: string | null;
  parent_asin: string | null;
  /** Variation attributes of a child item (e.g. {Color: "Red", Size: "M"}). */
  variation_attributes: Record<string, string> | null;
  external_ids: ExternalIds;
  /**
   * Condition of the buy-box (or first) offer: `New`, `Used`, `Refurbished` (OffersV2
   * `condition.value`); null or absent when the response has none.
   */
  condition?: string | null;
  /** Identical units in the package (`itemInfo.productInfo.unitCount`); null or absent if unknown. */
  unit_count?: number | null;
  /** Marketplace domain, e.g. `www.amazon.fr`. */
  marketplace: string;
  /** `creators` or `paapi` (later `spapi`, `keepa`). */
  source: string;
  /** ISO-8601 time the data was fetched. */
  fetched_at: string;
}

export interface ExternalIds {
  eans: string[];
  upcs: string[];
  isbns: string[];
}
