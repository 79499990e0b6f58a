import { open } from 'node:fs/promises';
import { constants, Gunzip } from 'minizlib';
import { GZIP_MEMBER_HEADER } from '../outputs/recorder/format.js';

/**
 * A stretch of a segment file read on its own: a gzip member (from one member header to the next,
 * or to the end), or a run of whole lines of a plain NDJSON file.
 */
export interface Region {
  offset: number;
  length: number;
}

const READ_CHUNK = 1024 * 1024;
/**
 * Compressed bytes given to gunzip at a time. Deflate expands at most about 1030 times, so one
 * piece never decodes to more than about 8 MB, however hostile the member.
 */
const INFLATE_PIECE = 8 * 1024;
/** Plain NDJSON is cut into regions of about this size, at line ends, so a view holds one at a time. */
const PLAIN_REGION_BYTES = 4 * 1024 * 1024;

/**
 * Splits a segment into its gzip members without decompressing, reading the file in chunks and
 * holding none of it. Each member can then be decoded on its own, which is what lets a reader go
 * on after a damaged one.
 */
export async function* fileRegions(path: string, chunkBytes = READ_CHUNK): AsyncGenerator<Region> {
  yield* splitFile(path, chunkBytes, (buf, from) => {
    const at = buf.indexOf(GZIP_MEMBER_HEADER, from);
    return at < 0 ? undefined : at;
  });
}

/** Splits a plain NDJSON file into regions of whole lines of about PLAIN_REGION_BYTES each. */
export async function* plainRegions(
  path: string,
  regionBytes = PLAIN_REGION_BYTES,
  chunkBytes = READ_CHUNK,
): AsyncGenerator<Region> {
  let next = regionBytes;
  yield* splitFile(path, chunkBytes, (buf, from, bufStart) => {
    const at = buf.indexOf(0x0a, Math.max(from, next - bufStart - 1));
    if (at < 0) return undefined;
    next = bufStart + at + 1 + regionBytes;
    return at + 1;
  });
}

/**
 * Cuts a file where `boundary` says (an index into `buf` at or after `from`, whose file offset is
 * `bufStart`), reading it in chunks. Only the last bytes of a chunk are carried into the next, so
 * that a gzip member header across two chunks is found.
 */
async function* splitFile(
  path: string,
  chunkBytes: number,
  boundary: (buf: Buffer, from: number, bufStart: number) => number | undefined,
): AsyncGenerator<Region> {
  const file = await open(path, 'r');
  try {
    const carryBytes = GZIP_MEMBER_HEADER.length - 1;
    let carry = Buffer.alloc(0);
    let start = 0;
    let pos = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await file.read(chunk, 0, chunkBytes, pos);
      if (bytesRead === 0) break;
      const buf =
        carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      const bufStart = pos - carry.length;
      let from = Math.max(0, start + 1 - bufStart);
      for (let at = boundary(buf, from, bufStart); at !== undefined; at = boundary(buf, from, bufStart)) {
        const cut = bufStart + at;
        if (cut > start) {
          yield { offset: start, length: cut - start };
          start = cut;
        }
        from = at + 1;
      }
      pos += bytesRead;
      carry = Buffer.from(buf.subarray(Math.max(0, buf.length - carryBytes)));
    }
    if (pos > start) yield { offset: start, length: pos - start };
  } finally {
    await file.close();
  }
}

/**
 * The decoded bytes of a region, in pieces, read from the file as they are needed: a gzip member
 * is gunzipped, plain text is passed as it is. The caller may stop at any piece, and nothing beyond
 * the piece being decoded is held. A truncated member (a writer killed mid-write) decodes up to its
 * last sync flush without error; a damaged one up to the damage, and the generator returns why
 * decoding stopped.
 */
export async function* decodedPieces(
  path: string,
  region: Region,
  gzip: boolean,
  chunkBytes = READ_CHUNK,
): AsyncGenerator<Buffer, string | undefined> {
  const file = await open(path, 'r');
  const gunzip = gzip ? new Gunzip({ finishFlush: constants.Z_SYNC_FLUSH }) : undefined;
  const out: Buffer[] = [];
  let damage: string | undefined;
  gunzip?.on('data', (data: Buffer) => out.push(data));
  gunzip?.on('error', (err: unknown) => {
    damage ??= (err as Error).message;
  });
  try {
    const end = region.offset + region.length;
    let fed = 0;
    for (let pos = region.offset; pos < end && damage === undefined; ) {
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, end - pos));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      if (gunzip === undefined) {
        yield chunk.subarray(0, bytesRead);
        continue;
      }
      for (let i = 0; i < bytesRead && damage === undefined; i += INFLATE_PIECE) {
        gunzip.write(chunk.subarray(i, Math.min(bytesRead, i + INFLATE_PIECE)));
        if (damage !== undefined) damage = `${damage} near compressed byte ${fed}`;
        fed += Math.min(INFLATE_PIECE, bytesRead - i);
        for (const piece of out.splice(0)) yield piece;
      }
    }
    if (gunzip !== undefined && damage === undefined) {
      gunzip.end();
      for (const piece of out.splice(0)) yield piece;
    }
    return damage;
  } finally {
    gunzip?.close();
    await file.close();
  }
}
