const SEGMENT_SIZE = 4096;

/**
 * The shared strings of an XLSX, stored compactly: every 4,096 strings are joined into one flat
 * string with an offset table. Exceljs' own cache keeps one heap string per entry (a 16-byte
 * header and an 8-byte pointer besides the characters); here an entry costs its characters and
 * a 4-byte offset, which matters for sheets of 1,000,000 distinct codes stored as text.
 */
export class SharedStringTable {
  private readonly segments: string[] = [];
  private readonly offsets: Uint32Array[] = [];
  private pending: string[] = [];

  get size(): number {
    return this.segments.length * SEGMENT_SIZE + this.pending.length;
  }

  add(text: string): void {
    this.pending.push(text);
    if (this.pending.length === SEGMENT_SIZE) this.seal();
  }

  get(index: number): string | undefined {
    const segment = Math.floor(index / SEGMENT_SIZE);
    const within = index % SEGMENT_SIZE;
    if (segment === this.segments.length) return this.pending[within];
    const text = this.segments[segment];
    const offsets = this.offsets[segment];
    if (text === undefined || offsets === undefined) return undefined;
    return text.slice(offsets[within], offsets[within + 1]);
  }

  private seal(): void {
    const offsets = new Uint32Array(this.pending.length + 1);
    let at = 0;
    this.pending.forEach((text, i) => {
      offsets[i] = at;
      at += text.length;
    });
    offsets[this.pending.length] = at;
    // Flatten so the segment does not keep the 4,096 original strings alive as a rope.
    const joined = this.pending.join('');
    this.segments.push(joined.length > 0 ? flatten(joined) : joined);
    this.offsets.push(offsets);
    this.pending = [];
  }
}

function flatten(text: string): string {
  // Reading one character forces V8 to flatten a cons string in place.
  void text.charCodeAt(0);
  return text;
}
