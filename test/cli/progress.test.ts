import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReadingReporter, formatDuration } from '../../src/cli/progress.js';

/** A stand-in for process.stderr that keeps what is written. */
function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const stream = {
    isTTY,
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reading progress of code2asin map', () => {
  it('off a terminal: a plain line per interval, then the total and the time', async () => {
    const out = fakeStream(false);
    const reading = createReadingReporter(out, 'codes.csv', 50);
    reading.update(10_000); // too soon after the start: nothing
    await sleep(60);
    reading.update(20_000);
    reading.update(30_000); // within the interval: nothing
    reading.finish(1_234_567);
    assert.deepEqual(out.text.split('\n'), [
      'Reading codes.csv: 20,000 rows',
      'Read codes.csv: 1,234,567 rows in 0s.',
      '',
    ]);
  });

  it('on a terminal: one line redrawn in place, ended by the total', async () => {
    const out = fakeStream(true);
    const reading = createReadingReporter(out, 'big.xlsx', 5000);
    await sleep(110);
    reading.update(10_000);
    await sleep(110);
    reading.update(20_000);
    reading.finish(25_000);
    assert.equal(
      out.text,
      '\r\x1b[2KReading big.xlsx: 10,000 rows\r\x1b[2KReading big.xlsx: 20,000 rows\r\x1b[2KRead big.xlsx: 25,000 rows in 0s.\n',
    );
  });

  it('durations read as seconds, minutes or hours', () => {
    assert.equal(formatDuration(12.4), '12s');
    assert.equal(formatDuration(125), '2m05s');
    assert.equal(formatDuration(3 * 3600 + 7 * 60), '3h07m');
  });
});
