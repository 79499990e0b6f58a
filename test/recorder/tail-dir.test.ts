import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTailDir, isMemoryFs, removeTailDir, tailDirCandidates } from '../../src/outputs/recorder/tail-dir.js';
import { inMemory, tempDir } from './helpers.js';

describe('where tails in memory go', () => {
  it('tries the service runtime directory, then the user one, then /dev/shm; absolute paths only', () => {
    expect(
      tailDirCandidates({ RUNTIME_DIRECTORY: '/run/usewatch:/run/other', XDG_RUNTIME_DIR: '/run/user/0' }),
    ).toEqual(['/run/usewatch', '/run/user/0', '/dev/shm']);
    expect(tailDirCandidates({ RUNTIME_DIRECTORY: '', XDG_RUNTIME_DIR: 'relative' })).toEqual(['/dev/shm']);
  });

  it('knows tmpfs and ramfs by their statfs magic, and nothing else', () => {
    expect(isMemoryFs(0x01021994)).toBe(true);
    expect(isMemoryFs(0x858458f6)).toBe(true);
    expect(isMemoryFs(0xef53)).toBe(false); // ext4
  });

  it('makes a directory of its own, readable by readers, on the first candidate in memory', async () => {
    const onDisk = tempDir();
    const absent = join(onDisk, 'absent');
    const dir = await createTailDir({ RUNTIME_DIRECTORY: absent, XDG_RUNTIME_DIR: onDisk });
    const expectedParent = inMemory(onDisk) ? onDisk : inMemory('/dev/shm') ? '/dev/shm' : undefined;
    if (expectedParent === undefined) {
      expect(dir).toBeUndefined();
      return;
    }
    expect(dir).toMatch(new RegExp(`^${expectedParent}/usewatch-tails-`));
    expect(statSync(dir!).mode & 0o777).toBe(0o755);
    await removeTailDir(dir!);
    expect(() => statSync(dir!)).toThrow(/ENOENT/);
  });

  it('keeps a directory that still holds a tail', async () => {
    const dir = join(tempDir(), 'tails');
    mkdirSync(dir);
    writeFileSync(join(dir, 'seg.ndjson.gz.tail'), '{}\n');
    await removeTailDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});
