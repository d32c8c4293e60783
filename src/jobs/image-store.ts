import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ImageMode = 'replace' | 'append' | 'skip';

export interface ImageStoreOptions {
  dir: string;
  /** Largest image accepted (default 10 MB). */
  maxBytes?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

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
  return {
    dir: options.dir,
    /** Downloads one image; resolves with its path relative to the store. */
    async save(url: string): Promise<string> {
      const res = await (options.fetch ?? fetch)(url, {
        signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
      const type =
        (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const ext = EXTENSIONS[type];
      if (!ext) throw new Error(`${url} is not an image (content-type "${type}")`);
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > maxBytes)
        throw new Error(`${url} is ${declared} bytes, over the ${maxBytes}-byte image limit`);
      const bytes = await readLimited(res, maxBytes, url);
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

async function readLimited(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`${url} is over the ${maxBytes}-byte image limit`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

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
