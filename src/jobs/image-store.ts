import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AmazonProduct } from '../amazon/product.js';
import type { OutboundPolicy } from '../net/outbound-guard.js';
import { createOutboundClient, type OutboundClient } from '../net/outbound-request.js';
import { imagePolicy } from './image-policy.js';

export type ImageMode = 'replace' | 'append' | 'skip';

export interface ImageStoreOptions {
  dir: string;
  /** Largest image accepted (default 10 MB). */
  maxBytes?: number;
  /** Time allowed for one image, redirects and body included (default 15 s). */
  timeoutMs?: number;
  /** Where images may come from; default: Amazon's image hosts only. */
  policy?: () => OutboundPolicy | Promise<OutboundPolicy>;
  /** The guarded client (tests inject a resolver and connector). */
  outbound?: OutboundClient;
}

/** Image CDNs sometimes redirect once; every hop is checked against the policy. */
const MAX_IMAGE_REDIRECTS = 2;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/avif': 'avif',
};

/**
 * A content-addressed image store: an image is saved once under `ab/<sha256>.<ext>` whatever
 * the URL it came from, so the same picture listed by several products or jobs costs one file.
 */
export function createImageStore(options: ImageStoreOptions) {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const outbound = options.outbound ?? createOutboundClient();
  const policy = options.policy ?? (() => imagePolicy());
  return {
    dir: options.dir,
    /** Downloads one image; resolves with its path relative to the store. */
    async save(url: string): Promise<string> {
      const res = await outbound.request(url, await policy(), {
        timeoutMs: options.timeoutMs ?? 15_000,
        maxBytes,
        maxRedirects: MAX_IMAGE_REDIRECTS,
      });
      if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status} for ${url}`);
      const type =
        String(res.headers['content-type'] ?? '')
          .split(';')[0]
          ?.trim()
          .toLowerCase() ?? '';
      const ext = EXTENSIONS[type];
      if (!ext) throw new Error(`${url} is not an image (content-type "${type}")`);
      const bytes = res.body;
      const sha = createHash('sha256').update(bytes).digest('hex');
      const relative = join(sha.slice(0, 2), `${sha}.${ext}`);
      const path = join(options.dir, relative);
      if (!(await exists(path))) {
        await mkdir(join(options.dir, sha.slice(0, 2)), { recursive: true });
        // A unique temporary name: two downloads of the same picture may run at once.
        const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(tmp, bytes);
        await rename(tmp, path);
      }
      return relative;
    },
  };
}

export type ImageStore = ReturnType<typeof createImageStore>;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Which images to fetch and keep, by mode, given what earlier jobs stored for the code. */
export function planImages(
  mode: ImageMode,
  urls: readonly string[],
  previous: readonly string[],
  max: number,
): { fetch: string[]; keep: string[] } {
  if (mode === 'skip' && previous.length > 0) return { fetch: [], keep: [...previous] };
  const fetchList = urls.slice(0, max);
  return { fetch: fetchList, keep: mode === 'append' ? [...previous] : [] };
}

/** One found product's images to fetch (`image-downloads.ts`). */
export interface ImageJob {
  jobId: string;
  unitId: number;
  marketplace: string;
  gtin: string;
  product: AmazonProduct;
  max: number;
  mode: ImageMode;
}

/** Background image downloads (`createImageDownloader`), as the jobs context holds them. */
export interface ImageDownloader {
  enqueue(job: ImageJob): void;
  /** Resolves when every queued download has ended (tests, shutdown). */
  idle(): Promise<void>;
}
