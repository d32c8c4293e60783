// The marketplace table is configuration data (settings validate against it), so it lives in
// `config/`; amazon reads config, never the other way round (one-way layers).
export {
  findMarketplace,
  getMarketplace,
  isVersionValidFor,
  MARKETPLACES,
  type CreatorsRegion,
  type Marketplace,
} from '../config/marketplaces.js';
