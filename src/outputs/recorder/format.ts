/**
 * The on-disk recording format shared by the writer (this directory) and the reader (src/replay).
 * A segment is a gzip file of NDJSON: a header line, then one serialised Frame per line. Frames are
 * deflated in batches, each ending in a sync flush, and a new gzip member is started every
 * `memberFrames` frames, so that a truncated file decompresses up to the last flush and a damaged
 * one can be read again from the next member. Until its batch is deflated a frame is in the
 * segment's tail, a plain NDJSON file beside it. Documented in docs/recording.md.
 */
export const RECORDING_FORMAT = 1;

/** The first line of every segment; `usewatch` tells a recording apart from any other NDJSON. */
export interface SegmentHeader {
  usewatch: 'recording';
  format: number;
  /** Frame schema of the lines that follow (see FRAME_SCHEMA). */
  frameSchema: number;
  host: string;
  agentVersion: string;
  /** Epoch ms at which the segment was opened. */
  created: number;
}

/** The fixed 10-byte header zlib writes for every gzip member (no name, no mtime, OS unix). */
export const GZIP_MEMBER_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

const SEGMENT_NAME = /^usewatch-(\d{8}T\d{6}Z)-(\d{6})\.ndjson\.gz$/;

/** usewatch-20261125T132344Z-000001.ndjson.gz: UTC start time, then a counter; sorts by time as text. */
export function segmentName(startTs: number, counter: number): string {
  const iso = new Date(startTs).toISOString(); // 2026-11-25T13:23:44.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return `usewatch-${stamp}-${String(counter % 1_000_000).padStart(6, '0')}.ndjson.gz`;
}

/** The start time and counter of a segment file name; undefined for any other file. */
export function parseSegmentName(name: string): { startTs: number; counter: number } | undefined {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return undefined;
  const s = m[1];
  const startTs = Date.UTC(
    +s.slice(0, 4),
    +s.slice(4, 6) - 1,
    +s.slice(6, 8),
    +s.slice(9, 11),
    +s.slice(11, 13),
    +s.slice(13, 15),
  );
  return Number.isFinite(startTs) ? { startTs, counter: Number(m[2]) } : undefined;
}

export function isSegmentName(name: string): boolean {
  return SEGMENT_NAME.test(name);
}

const TAIL_SUFFIX = '.tail';

/**
 * The segment's tail: its newest frames, not yet deflated, as plain NDJSON. The name does not end
 * in .ndjson so that no reader takes it for a recording of its own: it only means something after
 * its segment, and may repeat that segment's last frames after a crash.
 */
export function tailPathOf(segmentPath: string): string {
  return segmentPath + TAIL_SUFFIX;
}

/** The segment a tail file name belongs to; undefined for any other name. */
export function segmentOfTail(name: string): string | undefined {
  return name.endsWith(TAIL_SUFFIX) ? name.slice(0, -TAIL_SUFFIX.length) : undefined;
}
