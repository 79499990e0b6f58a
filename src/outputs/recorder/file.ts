import { hostname } from 'node:os';
import { FRAME_SCHEMA, type FrameSource, serializeFrame } from '../../model/frame.js';
import { VERSION } from '../../version.js';
import { RECORDING_FORMAT } from './format.js';
import { nodeFs, type RecorderFs, SegmentWriter } from './segment.js';
import { createTailDir, removeTailDir } from './tail-dir.js';

/**
 * `usewatch record --out FILE`: one segment holding every frame of `frames`, each durable once
 * written (`tailsInMemory` as in RecorderOptions). Refuses to overwrite an existing file. Resolves
 * with the number of frames written.
 */
export async function recordToFile(
  path: string,
  frames: FrameSource,
  opts: { fs?: RecorderFs; onFrame?: (written: number) => void; tailsInMemory?: boolean } = {},
): Promise<number> {
  const fs = opts.fs ?? nodeFs;
  const tailDir = opts.tailsInMemory ? await createTailDir() : undefined;
  let writer: SegmentWriter | undefined;
  let written = 0;
  try {
    for await (const frame of frames) {
      writer ??= await SegmentWriter.create(
        fs,
        path,
        {
          usewatch: 'recording',
          format: RECORDING_FORMAT,
          frameSchema: FRAME_SCHEMA,
          host: frame.host?.hostname ?? hostname(),
          agentVersion: VERSION,
          created: frame.ts,
        },
        { tailDir },
      );
      await writer.append([serializeFrame(frame)]);
      written++;
      opts.onFrame?.(written);
    }
  } finally {
    await writer?.close();
    if (tailDir !== undefined) await removeTailDir(tailDir);
  }
  return written;
}
