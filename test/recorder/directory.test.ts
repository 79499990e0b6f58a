import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirectory, recordingDirectoryProblem } from '../../src/outputs/recorder/directory.js';
import { createRecorder, type RecorderProblem } from '../../src/outputs/recorder/recorder.js';
import { makeFrame, T0, tempDir } from './helpers.js';

/** Settles within `ms` or fails: the calls below used to never settle (Node's recursive mkdir on procfs). */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('makeDirectory', () => {
  it('creates missing parents and accepts an existing directory', async () => {
    const dir = join(tempDir(), 'a', 'b', 'c');
    await makeDirectory(dir);
    await makeDirectory(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('fails at once where procfs answers ENOENT under an existing parent', async () => {
    await expect(within(2000, makeDirectory('/proc/x'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(within(2000, makeDirectory('/proc/x/y/z'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a file in the way', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    await expect(makeDirectory(file)).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory(join(file, 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('recordingDirectoryProblem', () => {
  it('accepts a directory it can write in, and leaves nothing behind', async () => {
    const dir = join(tempDir(), 'new');
    expect(await recordingDirectoryProblem(dir, { create: true })).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is not stopped by a probe file a killed run left behind', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, `.usewatch-probe-${process.pid}`), '');
    expect(await recordingDirectoryProblem(dir, { create: true })).toBeUndefined();
  });

  it('names the path it refuses and why', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    expect(await within(2000, recordingDirectoryProblem('/proc/x', { create: true }))).toBe(
      'cannot create the directory /proc/x: ENOENT',
    );
    expect(await recordingDirectoryProblem('/proc', { create: false })).toBe('cannot write a file in /proc: ENOENT');
    expect(await recordingDirectoryProblem(file, { create: true })).toBe(
      `cannot create the directory ${file}: ENOTDIR`,
    );
    expect(await recordingDirectoryProblem(file, { create: false })).toBe(`${file} is not a directory`);
    expect(await recordingDirectoryProblem('/dev/null', { create: true })).toBe(
      'cannot create the directory /dev/null: ENOTDIR',
    );
  });
});

describe('recorder on a directory that cannot exist', () => {
  it('pauses and reports once, drops frames until the retry, and does not loop', async () => {
    let now = T0;
    const problems: RecorderProblem[] = [];
    const recorder = createRecorder({
      dir: '/proc/x',
      retryMs: 30_000,
      now: () => now,
      onProblem: (p) => problems.push(p),
    });
    recorder.write(makeFrame(1));
    await within(2000, recorder.flush());
    for (let i = 2; i <= 5; i++) recorder.write(makeFrame(i));
    await within(2000, recorder.flush());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: '/proc/x', code: 'ENOENT' });
    expect(problems[0].message).toBe(
      "recording paused: I/O error at /proc/x: ENOENT: no such file or directory, mkdir '/proc/x'; retrying every 30s",
    );
    expect(recorder.stats()).toMatchObject({ paused: true, framesWritten: 0, dropped: 5 });
    now += 30_000;
    recorder.write(makeFrame(6));
    await within(2000, recorder.close());
    expect(problems).toHaveLength(1);
    expect(existsSync('/proc/x')).toBe(false);
  });
});
