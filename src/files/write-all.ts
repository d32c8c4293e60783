import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Writes text pieces to a stream in 64 KB batches rather than one `write` per line (each
 * `write` goes through the stream machinery), waiting for `drain` when asked, then ends it.
 */
export async function writeAll(pieces: AsyncIterable<string>, out: Writable): Promise<void> {
  let buffer = '';
  for await (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= 64 * 1024) {
      const ok = out.write(buffer);
      buffer = '';
      if (!ok) await once(out, 'drain');
    }
  }
  if (buffer) out.write(buffer);
  out.end();
  if (!out.writableFinished) await once(out, 'finish');
}
