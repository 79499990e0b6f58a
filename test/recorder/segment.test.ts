import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FRAME_SCHEMA, serializeFrame } from '../../src/model/frame.js';
import { RECORDING_FORMAT, type SegmentHeader } from '../../src/outputs/recorder/format.js';
import { nodeFs, SegmentWriter } from '../../src/outputs/recorder/segment.js';
import { makeFrame, T0, tempDir } from './helpers.js';

const header: SegmentHeader = {
  usewatch: 'recording',
  format: RECORDING_FORMAT,
  frameSchema: FRAME_SCHEMA,
  host: 'web-01',
  agentVersion: 'test',
  created: T0,
};

/** What a reader gets from the bytes on disk right now, as a crash at this instant would leave them. */
function readableNow(path: string): string {
  return gunzipSync(readFileSync(path), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
}

describe('a segment being written', () => {
  it('holds every appended frame, complete, as soon as append resolves, across gzip members', async () => {
    const path = join(tempDir(), 'seg.ndjson.gz');
    const writer = await SegmentWriter.create(nodeFs, path, header, { memberFrames: 3, level: 6 });
    const expected = [JSON.stringify(header)];
    for (let seq = 1; seq <= 8; seq++) {
      const line = serializeFrame(makeFrame(seq));
      await writer.append([line]);
      expected.push(line);
      expect(readableNow(path)).toBe(`${expected.join('\n')}\n`);
    }
    await writer.close();
    expect(gunzipSync(readFileSync(path)).toString()).toBe(`${expected.join('\n')}\n`);
  });
});
