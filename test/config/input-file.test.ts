import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputFileError, MAX_INPUT_FILE_BYTES, readInputFile, readInputText } from '../../src/config/input-file.js';
import { readTokenFile } from '../../src/config/token-file.js';

const dir = mkdtempSync(join(tmpdir(), 'usewatch-input-'));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof InputFileError) return err.message;
    throw err;
  }
  throw new Error('expected an InputFileError');
}

describe('readInputFile', () => {
  it('reads a regular file, with its mode', async () => {
    const f = join(dir, 'ok.yaml');
    writeFileSync(f, 'interval: 2s\n', { mode: 0o640 });
    const read = await readInputFile(f);
    expect(read.bytes.toString()).toBe('interval: 2s\n');
    expect(read.mode & 0o777).toBe(0o640);
  });

  it('refuses a FIFO at once, without waiting for a writer', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const started = performance.now();
    expect(await refusal(readInputFile(fifo))).toBe(`cannot read ${fifo}: a FIFO, not a regular file`);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses devices and directories by what they are', async () => {
    expect(await refusal(readInputFile('/dev/zero'))).toBe(
      'cannot read /dev/zero: a character device, not a regular file',
    );
    expect(await refusal(readInputFile(dir))).toBe(`cannot read ${dir}: a directory, not a regular file`);
  });

  it('refuses a file over the limit, and takes one at the limit', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, Buffer.alloc(MAX_INPUT_FILE_BYTES + 1, 0x20));
    expect(await refusal(readInputFile(big))).toBe(
      `cannot read ${big}: ${MAX_INPUT_FILE_BYTES + 1} bytes, larger than the limit of ${MAX_INPUT_FILE_BYTES} bytes`,
    );
    const full = join(dir, 'full.yaml');
    writeFileSync(full, Buffer.alloc(MAX_INPUT_FILE_BYTES, 0x20));
    expect((await readInputFile(full)).bytes.length).toBe(MAX_INPUT_FILE_BYTES);
  });

  it('reads a file whose size says 0 (procfs) up to the limit', async () => {
    expect(await readInputText('/proc/self/status')).toMatch(/^Name:/);
    expect(await refusal(readInputFile('/proc/self/status', 16))).toBe(
      'cannot read /proc/self/status: larger than the limit of 16 bytes',
    );
  });

  it('names the file when it cannot be opened', async () => {
    const absent = join(dir, 'absent');
    expect(await refusal(readInputFile(absent))).toBe(`cannot read ${absent}: ENOENT`);
  });
});

describe('readTokenFile', () => {
  it('gives one word, and warns when others can read the file', async () => {
    const f = join(dir, 'token');
    writeFileSync(f, '  abcdefabcdefabcdef\n', { mode: 0o644 });
    expect(await readTokenFile(f)).toEqual({
      token: 'abcdefabcdefabcdef',
      warning: `token file ${f} can be read by other users (mode 644): chmod 600 it`,
    });
  });

  it('refuses an empty file, two words, a FIFO and a device, naming the file', async () => {
    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const two = join(dir, 'two-token');
    writeFileSync(two, 'abc def\n', { mode: 0o600 });
    const fifo = join(dir, 'token-fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await readTokenFile(empty)).toEqual({ problem: `token file ${empty} is empty` });
    expect(await readTokenFile(two)).toEqual({ problem: `token file ${two} holds more than one word` });
    expect(await readTokenFile(fifo)).toEqual({
      problem: `cannot read token file ${fifo}: a FIFO, not a regular file`,
    });
    expect(await readTokenFile('/dev/zero')).toEqual({
      problem: 'cannot read token file /dev/zero: a character device, not a regular file',
    });
  });
});
