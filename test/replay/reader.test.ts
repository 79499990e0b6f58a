import { readFileSync, readlinkSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FRAME_SCHEMA, serializeFrame } from '../../src/model/frame.js';
import { GZIP_MEMBER_HEADER, segmentName, tailPathOf } from '../../src/outputs/recorder/format.js';
import { createRecorder } from '../../src/outputs/recorder/recorder.js';
import { nodeFs, SegmentWriter } from '../../src/outputs/recorder/segment.js';
import type { ReplayWarning } from '../../src/replay/lines.js';
import { type ReadOptions, readRecording } from '../../src/replay/reader.js';
import { replaySource } from '../../src/replay/source.js';
import { collect, makeFrame, readBack, SEGMENT_HEADER, segmentFiles, T0, tempDir } from '../recorder/helpers.js';

async function record(
  dir: string,
  count: number,
  opts: { memberFrames?: number; segmentMs?: number } = {},
): Promise<string> {
  const recorder = createRecorder({ dir, ...opts });
  for (let i = 1; i <= count; i++) {
    recorder.write(makeFrame(i));
    await recorder.flush();
  }
  await recorder.close();
  return join(dir, segmentFiles(dir)[0].name);
}

async function read(path: string, opts: ReadOptions = {}): Promise<{ seqs: number[]; warnings: ReplayWarning[] }> {
  const warnings: ReplayWarning[] = [];
  const frames = await collect(await readRecording(path, { ...opts, onWarning: (w) => warnings.push(w) }));
  return { seqs: frames.map((f) => f.seq), warnings };
}

function memberOffsets(buf: Buffer): number[] {
  const offsets: number[] = [];
  for (let i = buf.indexOf(GZIP_MEMBER_HEADER); i >= 0; i = buf.indexOf(GZIP_MEMBER_HEADER, i + 1)) offsets.push(i);
  return offsets;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('reading a damaged segment', () => {
  it('reads around garbage in the middle: everything before the damage and every later gzip member', async () => {
    const file = await record(tempDir(), 50, { memberFrames: 10 });
    const buf = readFileSync(file);
    const members = memberOffsets(buf);
    expect(members.length).toBe(6); // the header line counts in the first member
    const mid = Math.floor((members[2] + members[3]) / 2);
    buf.fill(0x55, mid, mid + 16);
    writeFileSync(file, buf);
    const { seqs, warnings } = await read(file);
    // Member 3 holds frames 20–29: frames before the damage in it may be read, frames after it are lost.
    expect(seqs.filter((s) => s < 20)).toEqual(range(1, 19));
    expect(seqs.filter((s) => s >= 30)).toEqual(range(30, 50));
    const inDamaged = seqs.filter((s) => s >= 20 && s < 30);
    expect(inDamaged).toEqual(range(20, 19 + inDamaged.length));
    expect(inDamaged.length).toBeLessThan(10);
    expect(warnings.map((w) => w.message).join('\n')).toMatch(/damaged at byte/);
    expect(warnings.every((w) => w.path === file)).toBe(true);
  });

  it('reads a segment truncated at any byte up to its last complete frame, without throwing', async () => {
    const file = await record(tempDir(), 12);
    const full = readFileSync(file);
    let previous = 0;
    for (let cut = 0; cut <= full.length; cut += 7) {
      writeFileSync(file, full.subarray(0, cut));
      const { seqs } = await read(file);
      expect(seqs).toEqual(range(1, seqs.length));
      expect(seqs.length).toBeGreaterThanOrEqual(previous);
      previous = seqs.length;
    }
    writeFileSync(file, full);
    expect((await read(file)).seqs).toEqual(range(1, 12));
  });

  it('warns about a partial last frame (a write cut short)', async () => {
    const file = join(tempDir(), 'cut.ndjson.gz');
    writeFileSync(file, gzipSync(`${JSON.stringify(readBack(makeFrame(1)))}\n{"schema":1,"seq":2,"ts`));
    const { seqs, warnings } = await read(file);
    expect(seqs).toEqual([1]);
    expect(warnings[0].message).toMatch(/partial frame/);
  });

  it('skips a file of random bytes, an empty file and a truncated gzip header with warnings', async () => {
    const dir = tempDir();
    await record(dir, 3);
    writeFileSync(join(dir, 'usewatch-20200101T000000Z-000001.ndjson.gz'), Buffer.from('1f8b0800', 'hex'));
    writeFileSync(join(dir, 'usewatch-20200101T000001Z-000001.ndjson.gz'), '');
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
    writeFileSync(join(dir, 'usewatch-20200101T000002Z-000001.ndjson.gz'), noise);
    const { seqs, warnings } = await read(dir);
    expect(seqs).toEqual([1, 2, 3]);
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('counts lines that are not frames, once per segment, and keeps the frames', async () => {
    const file = join(tempDir(), 'mixed.ndjson.gz');
    const lines = [readBack(makeFrame(1)), 'not json', { schema: 1, seq: 2 }, [1, 2], readBack(makeFrame(3))];
    writeFileSync(file, gzipSync(`${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`));
    const { seqs, warnings } = await read(file);
    expect(seqs).toEqual([1, 3]);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^3 line\(s\) that are not frames skipped \(first: not JSON/),
    ]);
  });
});

describe('versions', () => {
  it('skips frames of a newer schema with one clear warning', async () => {
    const file = join(tempDir(), 'future.ndjson.gz');
    const future = { ...(readBack(makeFrame(2)) as object), schema: 99 };
    const text = [readBack(makeFrame(1)), future, { ...future, seq: 3 }].map((l) => JSON.stringify(l)).join('\n');
    writeFileSync(file, gzipSync(`${text}\n`));
    const { seqs, warnings } = await read(file);
    expect(seqs).toEqual([1]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(
      new RegExp(`frames of schema 99 are newer than this usewatch reads \\(${FRAME_SCHEMA}\\).*upgrade`),
    );
  });

  it('skips a segment of a newer recording format', async () => {
    const file = join(tempDir(), 'future.ndjson.gz');
    const header = { usewatch: 'recording', format: 7, frameSchema: 5, host: 'h', agentVersion: '9.0.0', created: T0 };
    writeFileSync(file, gzipSync(`${JSON.stringify(header)}\n${JSON.stringify(readBack(makeFrame(1)))}\n`));
    const { seqs, warnings } = await read(file);
    expect(seqs).toEqual([]);
    expect(warnings[0].message).toMatch(/recording format 7 is newer/);
  });
});

describe('selecting', () => {
  it('reads the segments of a directory in time order and filters by --from/--to', async () => {
    const dir = tempDir();
    await record(dir, 60, { segmentMs: 10_000 });
    expect(segmentFiles(dir)).toHaveLength(6);
    expect((await read(dir)).seqs).toEqual(range(1, 60));
    const from = T0 + 24_000; // seq 25
    const to = T0 + 41_500;
    expect((await read(dir, { from, to })).seqs).toEqual(range(25, 42));
    expect((await read(dir, { from: T0 + 3_600_000 })).seqs).toEqual([]);
  });

  it('reads plain (uncompressed) NDJSON, for instance a jq-filtered recording', async () => {
    const file = join(tempDir(), 'cut.ndjson');
    writeFileSync(file, `${[1, 2, 3].map((s) => JSON.stringify(readBack(makeFrame(s)))).join('\n')}\n`);
    expect((await read(file)).seqs).toEqual([1, 2, 3]);
  });

  it('fails with a clear message for a path that does not exist', async () => {
    await expect(readRecording('/nonexistent/rec')).rejects.toThrow('no recording at /nonexistent/rec');
  });

  it('reads a file truncated mid-frame by the OS (size cut) as its complete frames', async () => {
    const file = await record(tempDir(), 20);
    truncateSync(file, readFileSync(file).length - 30);
    const { seqs } = await read(file);
    expect(seqs).toEqual(range(1, seqs.length));
    expect(seqs.length).toBeGreaterThanOrEqual(18);
  });
});

/** A segment left as a killed writer leaves it: batches of 10 deflated, the last frames in its tail. */
async function crashedSegment(dir: string, count: number, tailDir?: string): Promise<string> {
  const path = join(dir, segmentName(T0, 1));
  const writer = await SegmentWriter.create(nodeFs, path, SEGMENT_HEADER, { batchFrames: 10, tailDir });
  for (let seq = 1; seq <= count; seq++) await writer.append([serializeFrame(makeFrame(seq))]);
  await writer.abandon();
  return path;
}

describe('reading a segment with its tail', () => {
  it('reads the frames not yet compressed from the tail, after the segment, for a directory and a file', async () => {
    const dir = tempDir();
    const path = await crashedSegment(dir, 25);
    expect(readFileSync(tailPathOf(path), 'utf8').split('\n')).toHaveLength(6); // frames 21–25
    expect(await read(dir)).toEqual({ seqs: range(1, 25), warnings: [] });
    expect(await read(path)).toEqual({ seqs: range(1, 25), warnings: [] });
    expect((await read(dir, { from: T0 + 22_000 })).seqs).toEqual(range(23, 25));
  });

  it('reads each frame once when a kill came between deflating a batch and emptying the tail', async () => {
    const dir = tempDir();
    const path = await crashedSegment(dir, 25);
    const repeated = range(11, 20).map((s) => serializeFrame(makeFrame(s)));
    writeFileSync(tailPathOf(path), `${repeated.join('\n')}\n${readFileSync(tailPathOf(path), 'utf8')}`);
    expect(await read(dir)).toEqual({ seqs: range(1, 25), warnings: [] });
    const source = await replaySource(dir, { speed: 0 });
    expect((await collect(source.frames)).map((f) => f.seq)).toEqual(range(1, 25));
  });

  it('seeks into the tail and back into the segment', async () => {
    const dir = tempDir();
    await crashedSegment(dir, 25);
    const source = await replaySource(dir, { speed: 0 });
    const it = source.frames[Symbol.asyncIterator]();
    source.control.seekTo(T0 + 22_000);
    expect((await it.next()).value?.seq).toBe(23);
    source.control.seekTo(T0 + 4_000);
    expect((await it.next()).value?.seq).toBe(5);
    source.control.seekTo(T0 + 3_600_000); // past the end: the tail's last frame
    expect((await it.next()).value?.seq).toBe(25);
  });

  it('reads a tail kept in memory through its link, and the segment alone once a reboot emptied memory', async () => {
    const dir = tempDir();
    const memory = tempDir('usewatch-tails-');
    const path = await crashedSegment(dir, 25, memory);
    expect(readlinkSync(tailPathOf(path))).toBe(join(memory, basename(tailPathOf(path))));
    expect(await read(dir)).toEqual({ seqs: range(1, 25), warnings: [] });
    expect(await read(path)).toEqual({ seqs: range(1, 25), warnings: [] });
    rmSync(memory, { recursive: true });
    expect(await read(dir)).toEqual({ seqs: range(1, 20), warnings: [] });
    expect(await read(path)).toEqual({ seqs: range(1, 20), warnings: [] });
  });

  it('drops a partial last line of the tail with a warning naming the tail', async () => {
    const dir = tempDir();
    const path = await crashedSegment(dir, 25);
    writeFileSync(tailPathOf(path), `${readFileSync(tailPathOf(path), 'utf8')}{"schema":2,"seq":26,"ts":`);
    const { seqs, warnings } = await read(dir);
    expect(seqs).toEqual(range(1, 25));
    expect(warnings).toEqual([{ path: tailPathOf(path), message: expect.stringMatching(/partial frame/) }]);
  });
});
