/**
 * Exact-size reads over an async stream of buffers (a tar archive is a sequence of 512-byte blocks and
 * data areas of known size).
 */
export class ChunkReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer | string>) {
    const inner = source[Symbol.asyncIterator]();
    this.iterator = {
      next: async () => {
        const result = await inner.next();
        if (result.done) return { done: true, value: undefined };
        const value = result.value;
        return { done: false, value: typeof value === 'string' ? Buffer.from(value) : value };
      },
    };
  }

  private async fill(size: number): Promise<void> {
    while (this.buffered < size && !this.ended) {
      const result = await this.iterator.next();
      if (result.done) this.ended = true;
      else if (result.value.length > 0) {
        this.chunks.push(result.value);
        this.buffered += result.value.length;
      }
    }
  }

  /** Exactly `size` bytes, or null when the stream ends first. */
  async read(size: number): Promise<Buffer | null> {
    await this.fill(size);
    if (this.buffered < size) return null;
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const result = all.subarray(0, size);
    const rest = all.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return result;
  }

  /** Skips `size` bytes without keeping them; false when the stream ends first. */
  async skip(size: number): Promise<boolean> {
    let remaining = size;
    while (remaining > 0) {
      if (this.buffered === 0) {
        await this.fill(1);
        if (this.buffered === 0) return false;
      }
      const chunk = this.chunks[0];
      if (chunk.length <= remaining) {
        this.chunks.shift();
        this.buffered -= chunk.length;
        remaining -= chunk.length;
      } else {
        this.chunks[0] = chunk.subarray(remaining);
        this.buffered -= remaining;
        remaining = 0;
      }
    }
    return true;
  }

  /** Reads and drops everything that is left. */
  async drain(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    while (!this.ended) {
      const result = await this.iterator.next();
      if (result.done) this.ended = true;
    }
  }
}
