import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';
import { GZIP_MEMBER_HEADER } from '../outputs/recorder/format.js';

/** A stretch of a segment file from one gzip member header to the next (or to the end). */
export interface Region {
  offset: number;
  bytes: Buffer;
}

const READ_CHUNK = 4 * 1024 * 1024;
const TOLERANT = { finishFlush: constants.Z_SYNC_FLUSH };

/**
 * Splits a segment into its gzip members without decompressing, reading the file in chunks so a
 * large recording is never held whole. Each member can then be decoded on its own, which is what
 * lets a reader go on after a damaged one.
 */
export async function* fileRegions(path: string, chunkBytes = READ_CHUNK): AsyncGenerator<Region> {
  const file = await open(path, 'r');
  try {
    let pending = Buffer.alloc(0);
    let base = 0;
    let searchFrom = 1;
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await file.read(chunk, 0, chunkBytes, null);
      const eof = bytesRead === 0;
      if (!eof)
        pending =
          pending.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      for (;;) {
        const next = pending.indexOf(GZIP_MEMBER_HEADER, searchFrom);
        if (next < 0) break;
        yield { offset: base, bytes: Buffer.from(pending.subarray(0, next)) };
        base += next;
        pending = pending.subarray(next);
        searchFrom = 1;
      }
      searchFrom = Math.max(1, pending.length - GZIP_MEMBER_HEADER.length + 1);
      if (eof) break;
    }
    if (pending.length > 0) yield { offset: base, bytes: Buffer.from(pending) };
  } finally {
    await file.close();
  }
}

/** Reads one region back by position, for seeking. */
export async function readRegion(path: string, offset: number, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await file.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

export interface DecodedRegion {
  text: string;
  /** Why decoding stopped early: the region is damaged after `text`. */
  damage?: string;
}

/**
 * Decompresses a region. A truncated member (a writer killed mid-write) decodes up to its last
 * sync flush without error. A corrupt one is decoded up to the damage: decodability of a prefix is
 * monotonic, so a binary search over prefix lengths finds the longest one zlib accepts.
 */
export function decodeRegion(bytes: Buffer): DecodedRegion {
  try {
    return { text: gunzipSync(bytes, TOLERANT).toString('utf8') };
  } catch (err) {
    let good = 0;
    let bad = bytes.length;
    let best: Buffer = Buffer.alloc(0);
    while (bad - good > 1) {
      const mid = (good + bad) >>> 1;
      try {
        best = gunzipSync(bytes.subarray(0, mid), TOLERANT);
        good = mid;
      } catch {
        bad = mid;
      }
    }
    return { text: best.toString('utf8'), damage: `${(err as Error).message} near compressed byte ${good}` };
  }
}
