import type { FastifyInstance } from 'fastify';
import { fromJson } from '../../db/dialect.js';
import { getJob } from '../../jobs/jobs-repository.js';
import { ownerFilter, requireAuth } from '../auth/request-auth.js';
import { ERROR_REF, HttpError } from '../http-error.js';
import type { ImageProxy } from './image-proxy.js';
import { TAGS } from './job-schemas.js';
import type { JobsRouteDeps } from './route-deps.js';
import { RESULT_ERRORS } from './result-schemas.js';

type ImageRequest = { Params: { id: string; resultId: number; asin: string } };

/** The image URL the provider gave for `asin` among a result's candidates or its product. */
export function imageUrlOf(
  row: { candidates: string | null; product: string | null },
  asin: string,
): string | null {
  const candidates = fromJson<{ asin?: string; image?: string | null }[]>(row.candidates) ?? [];
  const fromCandidate = candidates.find((c) => c.asin === asin)?.image;
  if (typeof fromCandidate === 'string' && fromCandidate) return fromCandidate;
  // Results stored before candidates carried their image: the chosen product's first one.
  const product = fromJson<{ asin?: string; images?: unknown[] }>(row.product);
  const first = product?.asin === asin ? product.images?.[0] : undefined;
  return typeof first === 'string' && first ? first : null;
}

/**
 * `GET /jobs/{id}/results/{resultId}/images/{asin}`: the picture of one candidate of a result,
 * fetched by the server. The browser names a result and an ASIN, never a URL: only an image a
 * provider's answer gave for that result can be fetched, and only from the provider's image hosts.
 */
export function registerImageRoute(
  app: FastifyInstance,
  deps: JobsRouteDeps & { images: ImageProxy },
): void {
  const { db } = deps.jobs.database;
  app.get<ImageRequest>(
    '/jobs/:id/results/:resultId/images/:asin',
    {
      schema: {
        tags: TAGS,
        summary: "A candidate's product image, fetched by the server (review thumbnails)",
        description:
          "The first image the provider listed for this ASIN among the result's candidates, fetched through the outbound guard from the provider's image hosts only (at most 2 MB, 10 s), kept in a memory cache. Answers the image bytes (JPEG, PNG, GIF, WebP or AVIF).",
        params: {
          type: 'object',
          required: ['id', 'resultId', 'asin'],
          properties: {
            id: { type: 'string', maxLength: 100 },
            resultId: { type: 'integer', minimum: 1, examples: [42] },
            asin: { type: 'string', pattern: '^[A-Za-z0-9]{10}$', examples: ['B0DEMO0001'] },
          },
        },
        response: {
          200: {
            type: 'string',
            format: 'binary',
            description: 'The image bytes, with their type (image/jpeg, png, gif, webp or avif).',
          },
          ...RESULT_ERRORS,
          403: { ...ERROR_REF, description: 'The image URL is not on an allowed image host' },
          502: { ...ERROR_REF, description: 'The image host failed or answered no image' },
        },
      },
    },
    async (request, reply) => {
      const job = await getJob(db, request.params.id, ownerFilter(requireAuth(request)));
      const { resultId, asin } = request.params;
      const row = await db
        .selectFrom('code2asin_results')
        .select(['candidates', 'product'])
        .where('id', '=', resultId)
        .where('job_id', '=', job.id)
        .executeTakeFirst();
      const url = row ? imageUrlOf(row, asin.toUpperCase()) : null;
      if (!url) {
        throw new HttpError(
          404,
          'image_not_found',
          `Result ${resultId} lists no image for ${asin}.`,
          { result_id: resultId, asin },
        );
      }
      const image = await deps.images.get(url);
      // The picture of a result's candidate does not change: the browser keeps it for a day.
      return reply
        .header('cache-control', 'private, max-age=86400')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .type(image.type)
        .send(image.body);
    },
  );
}
