import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineSplitter, newParseState, type ReadLimits, type ReplayWarning } from '../../src/replay/lines.js';
import { readRecording } from '../../src/replay/reader.js';
import { plainRegions } from '../../src/replay/regions.js';
import { replaySource } from '../../src/replay/source.js';
import { collect, makeFrame, readBack, SEGMENT_HEADER, tempDir } from '../recorder/helpers.js';
import { lines, oneLine, shortLines, writeBomb } from './bombs.js';

const MiB = 1024 * 1024;
const limits: ReadLimits = { maxLineBytes: 64 * 1024, maxSegmentBytes: 8 * MiB };
const frameLine = (seq: number) => JSON.stringify(readBack(makeFrame(seq)));

/** The frames and warnings of a recording, read both ways: streamed (check --replay) and by the view's cursor. */
async function readBoth(path: string) {
  const streamed: ReplayWarning[] = [];
  const seqs = (await collect(await readRecording(path, { limits, onWarning: (w) => streamed.push(w) }))).map(
    (f) => f.seq,
  );
  const source = await replaySource(path, { speed: 0, limits });
  const cursorSeqs = (await collect(source.frames)).map((f) => f.seq);
  return { seqs, cursorSeqs, streamed: streamed.map((w) => `${w.path}: ${w.message}`), cursor: source.warnings };
}

describe('reader limits', () => {
  it('stops a segment that decodes to more than its limit, naming the file and the frames kept', async () => {
    const path = join(tempDir(), 'bomb.ndjson.gz');
    const size = writeBomb(path, {
      head: lines(JSON.stringify(SEGMENT_HEADER), frameLine(1), frameLine(2), frameLine(3)),
      filler: shortLines(MiB),
      times: 64,
      tail: lines(frameLine(4)),
    });
    expect(size).toBeLessThan(200 * 1024); // 64 MiB of lines in a small file
    const started = Date.now();
    const { seqs, cursorSeqs, streamed, cursor } = await readBoth(path);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(seqs).toEqual([1, 2, 3]);
    expect(cursorSeqs).toEqual([1, 2, 3]);
    const expected = `${path}: decodes to more than 8 MiB: 3 frame(s) read from its first 8 MiB, the rest of the segment skipped`;
    expect(streamed).toContain(expected);
    expect(cursor.map((w) => `${w.path}: ${w.message}`)).toContain(expected);
  });

  it('counts lines too short to be a frame without parsing them: 64 MiB of "{}" lines read quickly', async () => {
    const path = join(tempDir(), 'braces.ndjson.gz');
    writeBomb(path, {
      head: lines(JSON.stringify(SEGMENT_HEADER), frameLine(1), frameLine(2)),
      filler: Buffer.from('{}\n'.repeat(MiB / 2)),
      times: 42,
      tail: lines(frameLine(3)),
    });
    const started = Date.now();
    const { seqs, streamed } = await readBoth(path);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(seqs).toEqual([1, 2]);
    expect(streamed.join('\n')).toContain('line(s) that are not frames skipped (first: too short for a frame: {})');
  });

  it('gives a segment up after 1000 object lines in a row that are not frames, naming the file and the frames kept', async () => {
    const path = join(tempDir(), 'objects.ndjson.gz');
    writeBomb(path, {
      head: lines(JSON.stringify(SEGMENT_HEADER), frameLine(1), '{"schema":2,"not":"a frame"}', frameLine(2)),
      filler: Buffer.from('{"schema":1,"pad":1234567}\n'.repeat(10_000)),
      times: 10,
      tail: lines(frameLine(3)),
    });
    const { seqs, cursorSeqs, streamed } = await readBoth(path);
    expect(seqs).toEqual([1, 2]);
    expect(cursorSeqs).toEqual([1, 2]);
    expect(streamed).toContain(
      `${path}: 1001 lines in a row that are not frames: 2 frame(s) read, the rest of the segment skipped`,
    );
  });

  it('skips a line longer than the limit without holding it, and keeps the frames around it', async () => {
    const path = join(tempDir(), 'long.ndjson.gz');
    writeBomb(path, {
      head: `${lines(JSON.stringify(SEGMENT_HEADER), frameLine(1))}{"schema":2,"pad":"`,
      filler: oneLine(MiB),
      times: 6,
      tail: `"}\n${lines(frameLine(2))}`,
    });
    const { seqs, cursorSeqs, streamed } = await readBoth(path);
    expect(seqs).toEqual([1, 2]);
    expect(cursorSeqs).toEqual([1, 2]);
    expect(streamed).toEqual([`${path}: 1 line(s) longer than 65536 bytes skipped`]);
  });

  it('a tail that never ends (a link to /dev/zero) is cut at the segment limit', async () => {
    const dir = tempDir();
    const path = join(dir, 'rec.ndjson.gz');
    writeBomb(path, { head: lines(JSON.stringify(SEGMENT_HEADER), frameLine(1)) });
    symlinkSync('/dev/zero', `${path}.tail`);
    const { seqs, streamed } = await readBoth(dir);
    expect(seqs).toEqual([1]);
    expect(streamed).toContain(
      `${path}.tail: decodes to more than 8 MiB: 1 frame(s) read from its first 8 MiB, the rest of the segment skipped`,
    );
  });

  it('warnings are sanitised: a recorded line quoted in one cannot reach the terminal', async () => {
    const path = join(tempDir(), 'evil\x1b[2J.ndjson.gz');
    writeBomb(path, { head: lines(frameLine(1), 'junk \x1b]0;owned\x07') });
    const { streamed, cursor } = await readBoth(path);
    for (const w of [...streamed, ...cursor.map((c) => c.path + c.message)]) expect(w).not.toContain('\x1b');
    expect(streamed[0]).toMatch(
      /evil\.ndjson\.gz: 1 line\(s\) that are not frames skipped \(first: not JSON: junk \?*/,
    );
  });
});

describe('plain NDJSON in regions', () => {
  it('cuts a plain file at line ends into regions that cover it exactly', async () => {
    const path = join(tempDir(), 'cut.ndjson');
    const text = lines(...Array.from({ length: 50 }, (_, i) => frameLine(i + 1)));
    writeFileSync(path, text);
    const regions: { offset: number; length: number }[] = [];
    for await (const region of plainRegions(path, 3000, 1024)) regions.push(region);
    expect(regions.length).toBeGreaterThan(5);
    let next = 0;
    for (const r of regions) {
      expect(r.offset).toBe(next);
      expect(text[r.offset + r.length - 1]).toBe('\n');
      next = r.offset + r.length;
    }
    expect(next).toBe(Buffer.byteLength(text));
  });

  it('the view reads and seeks a plain file of several regions without losing a frame', async () => {
    const path = join(tempDir(), 'big.ndjson');
    writeFileSync(
      path,
      lines(...Array.from({ length: 600 }, (_, i) => JSON.stringify(readBack(makeFrame(i + 1, undefined, 10_000))))),
    );
    const all = await replaySource(path, { speed: 0 });
    expect((await collect(all.frames)).map((f) => f.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(all.warnings).toEqual([]);
    const late = await replaySource(path, { speed: 0, from: makeFrame(550).ts });
    expect((await collect(late.frames)).map((f) => f.seq)[0]).toBe(550);
  });
});

describe('lines cut across decoded pieces', () => {
  it('are judged like whole ones: junk is counted, not parsed, and never ends the segment', () => {
    const state = newParseState('cut.ndjson', limits);
    const splitter = new LineSplitter(state, () => {});
    // Each piece ends inside a short line, 1500 times: more than the limit of object lines in a row.
    for (let i = 0; i < 1500; i++) splitter.push(Buffer.from(i % 2 === 0 ? 'x\nx' : '{}\n{'));
    splitter.push(Buffer.from(`\n${frameLine(1)}\n`));
    const frames = splitter.push(Buffer.from(`${frameLine(2)}\n`));
    expect(state.badInARow).toBe(0);
    expect(state.frames).toBe(2);
    expect(frames.map((f) => f.seq)).toEqual([2]);
    expect(state.badLines).toBeGreaterThan(1500);
  });
});
