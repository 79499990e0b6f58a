import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { serializeFrame } from '../../src/model/frame.js';
import { tailPathOf } from '../../src/outputs/recorder/format.js';
import { nodeFs, SegmentWriter } from '../../src/outputs/recorder/segment.js';
import { fileRegions } from '../../src/replay/regions.js';
import { makeFrame, SEGMENT_HEADER, tempDir } from './helpers.js';

/** The lines the compressed segment holds right now, as a crash at this instant would leave them. */
function segmentLines(path: string): string[] {
  const text = gunzipSync(readFileSync(path), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  return text.split('\n').slice(0, -1);
}

function tailLines(path: string): string[] {
  const tail = tailPathOf(path);
  return existsSync(tail) ? readFileSync(tail, 'utf8').split('\n').slice(0, -1) : [];
}

describe('a segment being written', () => {
  it('holds every appended frame, complete, as soon as append resolves: deflated by batch, the rest in its tail', async () => {
    const path = join(tempDir(), 'seg.ndjson.gz');
    const writer = await SegmentWriter.create(nodeFs, path, SEGMENT_HEADER, { memberFrames: 7, batchFrames: 3 });
    const expected = [JSON.stringify(SEGMENT_HEADER)];
    expect(segmentLines(path)).toEqual(expected); // the header goes straight into the segment
    for (let seq = 1; seq <= 20; seq++) {
      const line = serializeFrame(makeFrame(seq));
      await writer.append([line]);
      expected.push(line);
      const compressed = segmentLines(path);
      expect([...compressed, ...tailLines(path)]).toEqual(expected);
      expect(tailLines(path).length).toBeLessThan(3);
      expect(writer.tailBytes).toBe(readFileSync(tailPathOf(path)).length);
    }
    await writer.close();
    expect(gunzipSync(readFileSync(path)).toString()).toBe(`${expected.join('\n')}\n`);
    expect(existsSync(tailPathOf(path))).toBe(false);
  });

  it('ends a batch at each gzip member boundary, so every member decodes on its own with at most memberFrames lines', async () => {
    const path = join(tempDir(), 'seg.ndjson.gz');
    const writer = await SegmentWriter.create(nodeFs, path, SEGMENT_HEADER, { memberFrames: 4, batchFrames: 50 });
    const lines = Array.from({ length: 17 }, (_, i) => serializeFrame(makeFrame(i + 1)));
    await writer.append(lines.slice(0, 10)); // more than a member at once
    for (const line of lines.slice(10)) await writer.append([line]);
    await writer.close();
    const counts: number[] = [];
    const file = readFileSync(path);
    for await (const region of fileRegions(path))
      counts.push(
        gunzipSync(file.subarray(region.offset, region.offset + region.length))
          .toString()
          .split('\n').length - 1,
      );
    expect(counts).toEqual([4, 4, 4, 4, 2]); // the header counts in the first member
  });

  it('deflates every frame at once with batchFrames 1, and then never creates a tail', async () => {
    const path = join(tempDir(), 'seg.ndjson.gz');
    const writer = await SegmentWriter.create(nodeFs, path, SEGMENT_HEADER, { batchFrames: 1 });
    for (let seq = 1; seq <= 5; seq++) {
      await writer.append([serializeFrame(makeFrame(seq))]);
      expect(segmentLines(path)).toHaveLength(seq + 1);
    }
    expect(existsSync(tailPathOf(path))).toBe(false);
    await writer.close();
  });

  it('keeps the tail in the tail directory, linked from beside the segment, and removes both on close', async () => {
    const path = join(tempDir(), 'seg.ndjson.gz');
    const memory = tempDir('usewatch-tails-');
    const writer = await SegmentWriter.create(nodeFs, path, SEGMENT_HEADER, { batchFrames: 3, tailDir: memory });
    const lines = Array.from({ length: 5 }, (_, i) => serializeFrame(makeFrame(i + 1)));
    await writer.append([lines[0]]);
    expect(lstatSync(tailPathOf(path)).isSymbolicLink()).toBe(true);
    const target = readlinkSync(tailPathOf(path));
    expect(target).toBe(join(memory, basename(tailPathOf(path))));
    expect(readFileSync(target, 'utf8')).toBe(`${lines[0]}\n`);
    for (const line of lines.slice(1)) await writer.append([line]);
    expect(segmentLines(path)).toHaveLength(4); // header and the first batch of 3
    expect(tailLines(path)).toEqual(lines.slice(3));
    await writer.close();
    expect(existsSync(tailPathOf(path))).toBe(false);
    expect(readdirSync(memory)).toEqual([]);
    expect(gunzipSync(readFileSync(path)).toString().split('\n').slice(1, -1)).toEqual(lines);
  });

  it('keeps the tail beside the segment when the tail directory cannot take it', async () => {
    const path = join(tempDir(), 'seg.ndjson.gz');
    const gone = join(tempDir(), 'no-such-dir');
    const writer = await SegmentWriter.create(nodeFs, path, SEGMENT_HEADER, { tailDir: gone });
    const line = serializeFrame(makeFrame(1));
    await writer.append([line]);
    expect(lstatSync(tailPathOf(path)).isFile()).toBe(true);
    expect(tailLines(path)).toEqual([line]);
    await writer.close();
    expect(existsSync(tailPathOf(path))).toBe(false);
  });
});
