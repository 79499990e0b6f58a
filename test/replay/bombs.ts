import { writeFileSync } from 'node:fs';
import { Gzip } from 'minizlib';

/**
 * Writes a one-member gzip file of `head`, then `filler` repeated `times` times, then `tail`: a
 * decompression bomb a few hundred KB on disk. Compressed piece by piece, so the test never holds
 * what the file decodes to.
 */
export function writeBomb(
  path: string,
  parts: { head: string; filler?: Buffer; times?: number; tail?: string },
): number {
  const out: Buffer[] = [];
  const gzip = new Gzip({ level: 9 });
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  gzip.write(Buffer.from(parts.head));
  for (let i = 0; i < (parts.times ?? 0); i++) gzip.write(parts.filler ?? Buffer.alloc(0));
  gzip.end(Buffer.from(parts.tail ?? ''));
  const file = Buffer.concat(out);
  writeFileSync(path, file);
  return file.length;
}

/** `bytes` of short lines ("x\n"), to repeat. */
export function shortLines(bytes: number): Buffer {
  return Buffer.from('x\n'.repeat(bytes / 2));
}

/** Lines, each ended by a newline. */
export function lines(...texts: string[]): string {
  return texts.map((t) => `${t}\n`).join('');
}

/** `bytes` of one line's middle: no newline in it. */
export function oneLine(bytes: number): Buffer {
  return Buffer.alloc(bytes, 'a');
}
