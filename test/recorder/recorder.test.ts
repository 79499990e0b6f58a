import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FRAME_SCHEMA } from '../../src/model/frame.js';
import { attachRecorder } from '../../src/outputs/recorder/attach.js';
import { parseSegmentName, segmentName, tailPathOf } from '../../src/outputs/recorder/format.js';
import { createRecorder, type RecorderProblem } from '../../src/outputs/recorder/recorder.js';
import { nodeFs, type RecorderFs } from '../../src/outputs/recorder/segment.js';
import { FrameBus } from '../../src/pipeline/bus.js';
import { readRecording } from '../../src/replay/reader.js';
import { collect, inMemory, makeFrame, readBack, segmentFiles, T0, tempDir } from './helpers.js';

describe('segment names', () => {
  it('carry the UTC start time and sort by time as text', () => {
    const a = segmentName(Date.UTC(2026, 10, 25, 13, 23, 44, 900), 1);
    expect(a).toBe('usewatch-20261125T132344Z-000001.ndjson.gz');
    expect(parseSegmentName(a)).toEqual({ startTs: Date.UTC(2026, 10, 25, 13, 23, 44), counter: 1 });
    const b = segmentName(Date.UTC(2026, 10, 25, 13, 23, 45), 2);
    expect([b, a].sort()).toEqual([a, b]);
    expect(parseSegmentName('notes.txt')).toBeUndefined();
  });
});

describe('recorder', () => {
  it('reads back every frame as written, without the in-process counters', async () => {
    const dir = tempDir();
    const recorder = createRecorder({ dir });
    const frames = Array.from({ length: 50 }, (_, i) => makeFrame(i + 1));
    for (const f of frames) recorder.write(f);
    await recorder.close();
    expect(recorder.stats()).toMatchObject({ framesWritten: 50, dropped: 0, paused: false, segments: 1 });
    const read = await collect(await readRecording(dir));
    expect(read).toEqual(frames.map(readBack));
  });

  it('writes segments that zcat and a JSON parser read line by line, header first', async () => {
    const dir = tempDir();
    const recorder = createRecorder({ dir, host: 'web-01' });
    for (let i = 1; i <= 3; i++) recorder.write(makeFrame(i));
    await recorder.close();
    const [seg] = segmentFiles(dir);
    expect(seg.name).toBe(segmentName(T0, 1));
    const { readFileSync } = await import('node:fs');
    const lines = gunzipSync(readFileSync(join(dir, seg.name)))
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      usewatch: 'recording',
      format: 1,
      frameSchema: FRAME_SCHEMA,
      host: 'web-01',
      created: T0,
    });
    expect(lines.slice(1).map((l) => l.seq)).toEqual([1, 2, 3]);
  });

  it('rotates a segment when it reaches segmentBytes', async () => {
    const dir = tempDir();
    const recorder = createRecorder({ dir, maxBytes: 1024 * 1024, segmentBytes: 8 * 1024 });
    const frames = Array.from({ length: 40 }, (_, i) => makeFrame(i + 1, undefined, 2000));
    for (const f of frames) {
      recorder.write(f);
      await recorder.flush();
    }
    await recorder.close();
    const segs = segmentFiles(dir);
    expect(segs.length).toBeGreaterThan(3);
    // A segment closes on the first write past the limit: it exceeds it by at most one frame.
    for (const s of segs) expect(s.size).toBeLessThan(8 * 1024 + 2500);
    expect((await collect(await readRecording(dir))).map((f) => f.seq)).toEqual(frames.map((f) => f.seq));
  });

  it('rotates a segment when it spans segmentMs of frame time, naming each by its first frame', async () => {
    const dir = tempDir();
    const recorder = createRecorder({ dir, segmentMs: 10_000 });
    for (let i = 1; i <= 35; i++) recorder.write(makeFrame(i));
    await recorder.close();
    expect(segmentFiles(dir).map((s) => s.name)).toEqual(
      [0, 10, 20, 30].map((s, i) => segmentName(T0 + s * 1000, i + 1)),
    );
    expect(await collect(await readRecording(dir))).toHaveLength(35);
  });

  it('deletes the oldest segments to stay under maxBytes, keeping the newest frames', async () => {
    const dir = tempDir();
    const maxBytes = 64 * 1024;
    const recorder = createRecorder({ dir, maxBytes, segmentBytes: 8 * 1024 });
    for (let i = 1; i <= 150; i++) {
      recorder.write(makeFrame(i, undefined, 2000));
      await recorder.flush();
      expect(recorder.stats().diskBytes).toBeLessThanOrEqual(maxBytes);
    }
    await recorder.close();
    const total = segmentFiles(dir).reduce((sum, s) => sum + s.size, 0);
    expect(total).toBeLessThanOrEqual(maxBytes);
    const seqs = (await collect(await readRecording(dir))).map((f) => f.seq);
    expect(seqs.at(-1)).toBe(150);
    expect(seqs[0]).toBeGreaterThan(1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
  });

  it('deletes segments past retention with their tails, including those of an earlier run, and nothing else', async () => {
    const dir = tempDir();
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    const old = join(dir, segmentName(now - 30 * 3_600_000, 1));
    const recent = join(dir, segmentName(now - 3_600_000, 2));
    const orphanTail = tailPathOf(join(dir, segmentName(now - 29 * 3_600_000, 3)));
    const notOurs = join(dir, 'notes.ndjson.gz');
    const files = [old, tailPathOf(old), recent, tailPathOf(recent), orphanTail, notOurs, tailPathOf(notOurs)];
    for (const p of files) writeFileSync(p, 'x');
    for (const p of [old, orphanTail]) utimesSync(p, (now - 25 * 3_600_000) / 1000, (now - 25 * 3_600_000) / 1000);
    utimesSync(recent, (now - 3_600_000) / 1000, (now - 3_600_000) / 1000);
    for (const p of [notOurs, tailPathOf(notOurs)]) utimesSync(p, 0, 0);
    const recorder = createRecorder({ dir, now: () => now });
    recorder.write(makeFrame(1, now));
    await recorder.close();
    expect(files.map((p) => existsSync(p))).toEqual([false, false, true, true, false, true, true]);
  });

  it('counts the tail an earlier run left against the cap, and deletes it with its segment', async () => {
    const dir = tempDir();
    const maxBytes = 64 * 1024;
    const earlier = join(dir, segmentName(T0 - 3_600_000, 1));
    writeFileSync(earlier, Buffer.alloc(1000));
    writeFileSync(tailPathOf(earlier), Buffer.alloc(maxBytes)); // the cap is already full with the tail
    const recorder = createRecorder({ dir, maxBytes, segmentBytes: 8 * 1024 });
    recorder.write(makeFrame(1));
    await recorder.flush();
    expect(existsSync(earlier)).toBe(false);
    expect(existsSync(tailPathOf(earlier))).toBe(false);
    expect(recorder.stats().diskBytes).toBeLessThanOrEqual(maxBytes);
    await recorder.close();
  });

  it('deletes a tail kept in memory with its segment, and the link of one a reboot emptied', async () => {
    const dir = tempDir();
    const memory = tempDir('usewatch-tails-');
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    const old = join(dir, segmentName(now - 30 * 3_600_000, 1));
    const oldTail = join(memory, basename(tailPathOf(old)));
    writeFileSync(old, 'x');
    writeFileSync(oldTail, 'x');
    symlinkSync(oldTail, tailPathOf(old));
    const dangling = tailPathOf(join(dir, segmentName(now - 2 * 3_600_000, 2)));
    symlinkSync(join(memory, 'emptied-by-reboot.tail'), dangling);
    utimesSync(old, (now - 25 * 3_600_000) / 1000, (now - 25 * 3_600_000) / 1000);
    const recorder = createRecorder({ dir, now: () => now });
    recorder.write(makeFrame(1, now));
    await recorder.close();
    expect([old, oldTail].map((p) => existsSync(p))).toEqual([false, false]);
    expect(() => lstatSync(tailPathOf(old))).toThrow(/ENOENT/);
    expect(() => lstatSync(dangling)).toThrow(/ENOENT/);
  });

  it('deletes only the link of a tail that points anywhere else, never what it points to', async () => {
    const dir = tempDir();
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    const precious = join(tempDir('usewatch-tails-'), 'passwd');
    writeFileSync(precious, 'root:x:0:0');
    const old = join(dir, segmentName(now - 30 * 3_600_000, 1));
    writeFileSync(old, 'x');
    utimesSync(old, (now - 25 * 3_600_000) / 1000, (now - 25 * 3_600_000) / 1000);
    symlinkSync(precious, tailPathOf(old)); // planted by whoever can write to the recording directory
    const recorder = createRecorder({ dir, now: () => now });
    recorder.write(makeFrame(1, now));
    await recorder.close();
    expect(existsSync(old)).toBe(false);
    expect(() => lstatSync(tailPathOf(old))).toThrow(/ENOENT/);
    expect(readFileSync(precious, 'utf8')).toBe('root:x:0:0');
  });

  it("with tailsInMemory, links the open segment's tail to tmpfs and leaves nothing there once closed", async (ctx) => {
    const saved = { RUNTIME_DIRECTORY: process.env.RUNTIME_DIRECTORY, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
    delete process.env.RUNTIME_DIRECTORY;
    delete process.env.XDG_RUNTIME_DIR;
    ctx.onTestFinished(() => {
      for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
    });
    const shmInMemory = inMemory('/dev/shm');
    const dir = tempDir();
    const recorder = createRecorder({ dir, tailsInMemory: true });
    for (let seq = 1; seq <= 3; seq++) recorder.write(makeFrame(seq));
    await recorder.flush();
    const tail = tailPathOf(join(dir, segmentFiles(dir)[0].name));
    expect(lstatSync(tail).isSymbolicLink()).toBe(shmInMemory);
    const memory = shmInMemory ? dirname(readlinkSync(tail)) : undefined;
    if (memory !== undefined) expect(memory).toMatch(/^\/dev\/shm\/usewatch-tails-/);
    await recorder.close();
    expect(existsSync(tail)).toBe(false);
    if (memory !== undefined) expect(existsSync(memory)).toBe(false);
    expect((await collect(await readRecording(dir))).map((f) => f.seq)).toEqual([1, 2, 3]);
  });

  it('drops and counts frames when the queue is full, and says so once', async () => {
    const dir = tempDir();
    const problems: RecorderProblem[] = [];
    const recorder = createRecorder({ dir, queueFrames: 5, onProblem: (p) => problems.push(p) });
    for (let i = 1; i <= 12; i++) recorder.write(makeFrame(i));
    await recorder.close();
    expect(recorder.stats()).toMatchObject({ framesWritten: 5, dropped: 7 });
    expect(problems.map((p) => p.kind)).toEqual(['frames_dropped']);
  });

  it('rejects nonsense limits with a message naming the option', () => {
    expect(() => createRecorder({ dir: '/tmp/x', maxBytes: 10 })).toThrow(/maxBytes/);
    expect(() => createRecorder({ dir: '/tmp/x', maxBytes: 1e6, segmentBytes: 9e5 })).toThrow(/segmentBytes/);
    expect(() => createRecorder({ dir: '/tmp/x', retentionMs: -1 })).toThrow(/retentionMs/);
  });

  it('records every frame published on a bus once attached, and stops when closed', async () => {
    const dir = tempDir();
    const bus = new FrameBus(10);
    const attached = attachRecorder(bus, { dir });
    for (let i = 1; i <= 5; i++) bus.publish(makeFrame(i));
    await attached.close();
    bus.publish(makeFrame(6));
    expect(attached.stats().framesWritten).toBe(5);
    expect((await collect(await readRecording(dir))).map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});

/** A file system that fails writes with `code` while `failing` is set. */
function failingFs(code: string): RecorderFs & { failing: boolean; calls: number } {
  const fs = {
    failing: true,
    calls: 0,
    ...nodeFs,
    open: async (path: string, flags: string) => {
      const file = await nodeFs.open(path, flags);
      return {
        write: async (buf: Uint8Array, offset: number, length: number, position: number | null) => {
          fs.calls++;
          if (fs.failing) {
            await file.write(buf, offset, Math.min(length, 7), position); // a partial write, as a filling disk does
            throw Object.assign(new Error(`${code}: simulated, write`), { code });
          }
          return file.write(buf, offset, length, position);
        },
        truncate: (length: number) => file.truncate(length),
        sync: () => file.sync(),
        close: () => file.close(),
      };
    },
  };
  return fs;
}

describe('recorder on a failing disk', () => {
  it('pauses on ENOSPC, reports disk_full once, retries after retryMs and resumes', async () => {
    const dir = tempDir();
    let now = T0;
    const problems: RecorderProblem[] = [];
    const resumed: unknown[] = [];
    const fs = failingFs('ENOSPC');
    const recorder = createRecorder({
      dir,
      fs,
      retryMs: 30_000,
      now: () => now,
      onProblem: (p) => problems.push(p),
      onResume: (info) => resumed.push(info),
    });
    for (let i = 1; i <= 5; i++) {
      expect(() => recorder.write(makeFrame(i))).not.toThrow();
      await recorder.flush();
    }
    expect(recorder.stats()).toMatchObject({ paused: true, framesWritten: 0, dropped: 5 });
    expect(recorder.stats().lastError).toMatch(/ENOSPC/);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'disk_full', code: 'ENOSPC' });
    expect(problems[0].message).toMatch(/recording paused.*retrying every 30s/);
    expect(problems[0].path.startsWith(dir)).toBe(true);

    now += 30_000; // still failing at the retry: no second report
    recorder.write(makeFrame(6));
    await recorder.flush();
    expect(problems).toHaveLength(1);
    expect(recorder.stats().paused).toBe(true);

    fs.failing = false;
    now += 30_000;
    recorder.write(makeFrame(7));
    recorder.write(makeFrame(8));
    await recorder.close();
    expect(resumed).toHaveLength(1);
    expect(recorder.stats()).toMatchObject({ paused: false, framesWritten: 2, dropped: 6 });
    // The segments cut short by the failure hold nothing readable and do not break the replay.
    const warnings: string[] = [];
    const read = await collect(await readRecording(dir, { onWarning: (w) => warnings.push(w.message) }));
    expect(read.map((f) => f.seq)).toEqual([7, 8]);
  });

  it('reports an unwritable directory as unwritable and never throws', async () => {
    const base = tempDir();
    writeFileSync(join(base, 'file'), '');
    const problems: RecorderProblem[] = [];
    const recorder = createRecorder({ dir: join(base, 'file', 'rec'), onProblem: (p) => problems.push(p) });
    recorder.write(makeFrame(1));
    await recorder.close();
    expect(problems).toMatchObject([{ kind: 'unwritable', code: 'ENOTDIR' }]);
    expect(recorder.stats()).toMatchObject({ paused: true, dropped: 1 });
  });

  it.each([['EACCES'], ['EROFS']])('classifies %s as unwritable', async (code) => {
    const problems: RecorderProblem[] = [];
    const recorder = createRecorder({ dir: tempDir(), fs: failingFs(code), onProblem: (p) => problems.push(p) });
    recorder.write(makeFrame(1));
    await recorder.close();
    expect(problems).toMatchObject([{ kind: 'unwritable', code }]);
  });

  // Root ignores directory permissions, so as root the kernel's refusal comes from a read-only mount.
  it('pauses when the kernel refuses the segment (a read-only mount as root, a read-only directory otherwise)', async (ctx) => {
    const target = join(tempDir(), 'ro');
    mkdirSync(target);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', target], { stdio: 'pipe' });
      } catch (err) {
        console.log(`skipped: cannot mount a read-only tmpfs here (${(err as Error).message.split('\n')[0]})`);
        ctx.skip();
      }
    } else {
      chmodSync(target, 0o555);
    }
    try {
      const problems: RecorderProblem[] = [];
      const recorder = createRecorder({ dir: target, onProblem: (p) => problems.push(p) });
      recorder.write(makeFrame(1));
      await recorder.close();
      expect(problems).toMatchObject([{ kind: 'unwritable', code: asRoot ? 'EROFS' : 'EACCES' }]);
      expect(recorder.stats()).toMatchObject({ paused: true, dropped: 1 });
    } finally {
      if (asRoot) execFileSync('umount', [target]);
    }
  });
});
