// The normalised product is defined where matching reads it (one-way layers: amazon → matching).
export type { AmazonProduct, ExternalIds } from '../matching/index.js';
