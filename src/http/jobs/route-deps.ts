import type { Config } from '../../config/env.js';
import type { IngestionPool } from '../../jobs/ingestion-pool.js';
import type { JobsContext } from '../../jobs/context.js';
import type { ImageProxy } from './image-proxy.js';

/** What every route of the jobs router needs (apart from the router, so routes never import it). */
export interface JobsRouteDeps {
  jobs: JobsContext;
  /** Upload limit (`jobs.uploadLimitBytes`) and default marketplace (`amazon.marketplace`). */
  config: Config;
  /** Ingestion threads (`serve`); jobs are created on this event loop when absent. */
  ingestion?: IngestionPool;
  /** Fetches review thumbnails through the outbound guard; none: a proxy with no allowed host. */
  images?: ImageProxy;
}
