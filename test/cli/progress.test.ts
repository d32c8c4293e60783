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

/** A clock the test moves by hand: no dependence on how fast the machine runs the test. */
function manualClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('reading progress of code2asin map', () => {
  it('off a terminal: a plain line per interval, then the total and the time', () => {
    const out = fakeStream(false);
    const clock = manualClock();
    const reading = createReadingReporter(out, 'codes.csv', 50, clock.now);
    reading.update(10_000); // too soon after the start: nothing
    clock.advance(60);
    reading.update(20_000);
    reading.update(30_000); // within the interval: nothing
    reading.finish(1_234_567);
    assert.deepEqual(out.text.split('\n'), [
      'Reading codes.csv: 20,000 rows',
      'Read codes.csv: 1,234,567 rows in 0s.',
      '',
    ]);
  });

  it('on a terminal: one line redrawn in place, ended by the total', () => {
    const out = fakeStream(true);
    const clock = manualClock();
    const reading = createReadingReporter(out, 'big.xlsx', 5000, clock.now);
    clock.advance(110);
    reading.update(10_000);
    clock.advance(110);
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
