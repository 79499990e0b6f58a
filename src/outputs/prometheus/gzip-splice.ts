import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * A gzip member whose first part is compressed once and reused: the prefix is raw deflate ending in
 * a sync flush (byte-aligned, not final), so a second raw deflate stream made later can follow it as
 * the same member's remaining blocks. Its back-references do not reach into the prefix, which costs
 * a little ratio and keeps the splice valid; the trailer's CRC-32 continues from the prefix's.
 * One member rather than two concatenated ones: every gzip reader takes it, including those that
 * stop after the first member.
 */
export interface DeflatedPrefix {
  deflated: Buffer;
  crc: number;
  length: number;
}

const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]);

export function deflatePrefix(text: string): DeflatedPrefix {
  const raw = Buffer.from(text, 'utf8');
  return {
    deflated: deflateRawSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }),
    crc: crc32(raw),
    length: raw.length,
  };
}

/** The gzip member of `prefix` followed by `tail`; only the tail is compressed here. */
export function gzipWithPrefix(prefix: DeflatedPrefix, tail: string): Buffer {
  const raw = Buffer.from(tail, 'utf8');
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(raw, prefix.crc), 0);
  // ISIZE is the length modulo 2^32.
  trailer.writeUInt32LE((prefix.length + raw.length) % 0x1_0000_0000, 4);
  return Buffer.concat([HEADER, prefix.deflated, deflateRawSync(raw), trailer]);
}
