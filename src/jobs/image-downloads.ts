import type { AmazonProduct } from '../amazon/product.js';
import { fromJson, nowIso, toJson } from '../db/dialect.js';
import { OutboundError } from '../net/outbound-error.js';
import type { JobsContext } from './context.js';
import { planImages, type ImageDownloader, type ImageJob, type ImageStore } from './image-store.js';

export type { ImageDownloader, ImageJob };

/**
 * Downloads found products' images in the background, a few at a time, so the worker's lanes
 * (and the Amazon quota) never wait for image servers. Local paths are recorded in the unit's
 * product (`local_images`) and in the cache; a failure is logged, never fatal.
 */
export function createImageDownloader(
  ctx: JobsContext,
  store: ImageStore,
  concurrency = 4,
): ImageDownloader {
  const queue: ImageJob[] = [];
  const running = new Set<Promise<void>>();
  const pump = () => {
    while (running.size < concurrency && queue.length > 0) {
      const job = queue.shift() as ImageJob;
      const p = download(ctx, store, job).catch((err: unknown) =>
        ctx.logger.warn({ err }, 'image download crashed'),
      );
      running.add(p);
      void p.finally(() => {
        running.delete(p);
        pump();
      });
    }
  };
  return {
    enqueue(job: ImageJob): void {
      queue.push(job);
      pump();
    },
    /** Resolves when every queued download has ended (tests, shutdown). */
    async idle(): Promise<void> {
      while (running.size > 0 || queue.length > 0) await Promise.allSettled([...running]);
    },
  };
}

async function download(ctx: JobsContext, store: ImageStore, job: ImageJob): Promise<void> {
  const { db } = ctx.database;
  const cached = await db
    .selectFrom('amazon_mappings')
    .select('product')
    .where('marketplace', '=', job.marketplace)
    .where('gtin', '=', job.gtin)
    .executeTakeFirst();
  const previous =
    fromJson<AmazonProduct & { local_images?: string[] }>(cached?.product)?.local_images ?? [];
  const plan = planImages(job.mode, job.product.images, previous, job.max);
  const saved: string[] = [];
  for (const url of plan.fetch) {
    try {
      saved.push(await store.save(url));
    } catch (error) {
      await ctx.createJobLog(job.jobId, 'WARNING', 'Image download failed', {
        gtin: job.gtin,
        url,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof OutboundError ? { reason: error.code } : {}),
      });
    }
  }
  const localImages = [...new Set([...plan.keep, ...saved])];
  const product = toJson({ ...job.product, local_images: localImages });
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('code2asin_results')
      .set({ product, updated_at: nowIso() })
      .where('id', '=', job.unitId)
      .execute();
    await trx
      .updateTable('amazon_mappings')
      .set({ product })
      .where('marketplace', '=', job.marketplace)
      .where('gtin', '=', job.gtin)
      .execute();
  });
}
