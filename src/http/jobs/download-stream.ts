import { PassThrough, Writable } from 'node:stream';

/**
 * A writable for the result writers (`sink`) feeding the readable given to `reply.send`
 * (`source`), with back-pressure. When the client goes away, `source` is destroyed; the sink
 * then accepts and drops the rest, so a writer waiting for `drain` is released and ends
 * instead of waiting forever; and `gone` is aborted, so the writer reads no further page.
 */
export function createDownloadStream(): {
  sink: Writable;
  source: PassThrough;
  gone: AbortSignal;
} {
  const source = new PassThrough();
  const goneController = new AbortController();
  let gone = false;
  let waiting: (() => void) | null = null;
  source.on('close', () => {
    gone = true;
    // Closed before its end was read: the client went away (after a whole file, nothing to stop).
    if (!source.readableEnded) goneController.abort();
    const release = waiting;
    waiting = null;
    release?.();
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (gone || source.write(chunk)) return callback();
      waiting = () => callback();
      source.once('drain', () => {
        const release = waiting;
        waiting = null;
        release?.();
      });
    },
    final(callback) {
      if (!gone) source.end();
      callback();
    },
    destroy(error, callback) {
      if (error && !gone) source.destroy(error);
      callback(error);
    },
  });
  return { sink, source, gone: goneController.signal };
}
