import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecorder, type RecorderProblem } from '../../src/outputs/recorder/recorder.js';
import { readRecording } from '../../src/replay/reader.js';
import { collect, makeFrame } from './helpers.js';

/** A real full disk: a 256 KiB tmpfs. Needs root and mount(2); skipped (with the reason) elsewhere. */
let mountPoint: string | undefined;
let skipReason = '';

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'usewatch-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'pipe' });
    mountPoint = dir;
  } catch (err) {
    skipReason = `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`;
    rmSync(dir, { recursive: true });
  }
});

afterAll(() => {
  if (mountPoint === undefined) return;
  execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true });
});

describe('recorder on a full tmpfs', () => {
  it('pauses with disk_full, keeps what it wrote readable, and never throws', async (ctx) => {
    if (mountPoint === undefined) {
      console.log(`skipped: ${skipReason}`);
      ctx.skip();
    }
    const problems: RecorderProblem[] = [];
    // The cap is far above the file system's size: the disk fills before the recorder would rotate away.
    const recorder = createRecorder({
      dir: join(mountPoint!, 'rec'),
      maxBytes: 64 * 1024 * 1024,
      onProblem: (p) => problems.push(p),
    });
    for (let i = 1; i <= 200; i++) {
      expect(() => recorder.write(makeFrame(i, undefined, 4000))).not.toThrow();
      await recorder.flush();
    }
    await recorder.close();
    const stats = recorder.stats();
    expect(problems[0]).toMatchObject({ kind: 'disk_full', code: 'ENOSPC' });
    expect(stats.paused).toBe(true);
    expect(stats.framesWritten).toBeGreaterThan(10);
    expect(stats.framesWritten + stats.dropped).toBe(200);
    const seqs = (await collect(await readRecording(join(mountPoint!, 'rec')))).map((f) => f.seq);
    expect(seqs).toEqual(Array.from({ length: stats.framesWritten }, (_, i) => i + 1));
  });
});
