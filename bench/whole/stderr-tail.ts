import type { Readable } from 'node:stream';

/**
 * The last bytes a subject wrote to stderr, so that one that exits at start (a port taken, a
 * module missing, EMFILE) says why. Only the tail is held: a subject that writes without end
 * costs the bench a few KB.
 */
export class StderrTail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    stream: Readable | null,
    private readonly maxBytes = 4096,
  ) {
    stream?.on('data', (chunk: Buffer) => this.push(chunk));
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0].length >= this.maxBytes) {
      this.bytes -= (this.chunks.shift() as Buffer).length;
    }
  }

  /** The tail as text, at most maxBytes, trimmed; empty when nothing was written. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all
      .subarray(Math.max(0, all.length - this.maxBytes))
      .toString('utf8')
      .trim();
  }
}

/** An error's message with the subject's stderr tail appended, when it wrote any. */
export function withStderr(err: unknown, name: string, tail: StderrTail): Error {
  const message = err instanceof Error ? err.message : String(err);
  const text = tail.text();
  return new Error(text === '' ? `${name}: ${message}` : `${name}: ${message}; its stderr ended with:\n${text}`);
}
