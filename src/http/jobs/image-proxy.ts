import type { OutboundPolicy } from '../../net/outbound-guard.js';
import { OutboundError } from '../../net/outbound-error.js';
import { createOutboundClient, type OutboundClient } from '../../net/outbound-request.js';
import { HttpError } from '../http-error.js';

/** Raster types only: an SVG can carry script, and nothing else is a product picture. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif']);

export interface ProxiedImage {
  type: string;
  body: Buffer;
}

export interface ImageProxyOptions {
  /** Where an image may come from: the configured provider's image hosts (`imagePolicy`). */
  policy: () => Promise<OutboundPolicy>;
  /** The guarded client (tests inject a resolver and connector). */
  outbound?: OutboundClient;
  /** Largest image served (default 2 MB: review thumbnails, not archives). */
  maxBytes?: number;
  /** Time allowed for one image, redirects included (default 10 s). */
  timeoutMs?: number;
  /** Bytes of images kept in memory, least recently used dropped first (default 32 MB). */
  cacheBytes?: number;
}

/**
 * Fetches product images for the review queue on the browser's behalf, through the outbound
 * guard (so the browser never contacts Amazon, and an answer's URL can only reach the provider's
 * image hosts), within a size and time limit, kept in a small in-memory LRU cache. Concurrent
 * requests for one URL share one fetch.
 */
export function createImageProxy(options: ImageProxyOptions) {
  const outbound = options.outbound ?? createOutboundClient();
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const cacheBytes = options.cacheBytes ?? 32 * 1024 * 1024;
  const cache = new Map<string, ProxiedImage>();
  const inFlight = new Map<string, Promise<ProxiedImage>>();
  let cached = 0;
  let fetches = 0;

  const remember = (url: string, image: ProxiedImage) => {
    if (image.body.byteLength > cacheBytes) return;
    cache.set(url, image);
    cached += image.body.byteLength;
    for (const [key, old] of cache) {
      if (cached <= cacheBytes) break;
      cache.delete(key);
      cached -= old.body.byteLength;
    }
  };

  const fetchImage = async (url: string): Promise<ProxiedImage> => {
    fetches += 1;
    const res = await outbound
      .request(url, await options.policy(), {
        timeoutMs: options.timeoutMs ?? 10_000,
        maxBytes,
        maxRedirects: 2,
        headers: { accept: [...IMAGE_TYPES].join(', ') },
      })
      .catch((error: unknown) => {
        throw imageError(error);
      });
    if (res.status < 200 || res.status >= 300) {
      throw new HttpError(502, 'image_unavailable', `The image host answered ${res.status}.`, {
        status: res.status,
      });
    }
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!IMAGE_TYPES.has(type)) {
      throw new HttpError(502, 'not_an_image', `The image host answered "${type}", not an image.`, {
        content_type: type,
      });
    }
    const image = { type, body: res.body };
    remember(url, image);
    return image;
  };

  return {
    /** The image at `url` (from the cache when it is there); an HttpError says why not. */
    get(url: string): Promise<ProxiedImage> {
      const hit = cache.get(url);
      if (hit) {
        cache.delete(url);
        cache.set(url, hit);
        return Promise.resolve(hit);
      }
      let pending = inFlight.get(url);
      if (!pending) {
        pending = fetchImage(url).finally(() => inFlight.delete(url));
        inFlight.set(url, pending);
      }
      return pending;
    },
    /** Images fetched from outside so far (tests: a cache hit fetches nothing). */
    fetchCount: () => fetches,
  };
}

export type ImageProxy = ReturnType<typeof createImageProxy>;

function imageError(error: unknown): HttpError {
  if (!(error instanceof OutboundError)) {
    return new HttpError(502, 'image_unavailable', 'The image could not be fetched.', {});
  }
  if (error.refused || error.code === 'redirect_not_followed') {
    return new HttpError(403, 'image_refused', error.message, { reason: error.code });
  }
  return new HttpError(502, 'image_unavailable', error.message, { reason: error.code });
}
