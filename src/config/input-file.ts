import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

/**
 * The one reader for the files an operator names: the config file, the token file, checklists and
 * TLS material. Any of them may be a FIFO (open(2) without O_NONBLOCK waits for a writer for
 * ever), a device such as /dev/zero (endless) or a directory, and the agent reads them again on
 * SIGHUP while it runs. So a file is opened without blocking, must be a regular file, and no more
 * than the limit plus one byte is ever read.
 */

/** Largest file accepted: the shipped checklist is about 32 KB, a config or token far less. */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/** A file that cannot be used; the message names it and says why. */
export class InputFileError extends Error {
  override name = 'InputFileError';
  constructor(
    readonly file: string,
    /** Why, without the file: an errno code (ENOENT, EACCES…), "a FIFO, not a regular file"… */
    readonly reason: string,
  ) {
    super(`cannot read ${file}: ${reason}`);
  }
}

export interface InputFile {
  /** The contents as bytes; decode with `.toString('utf8')`. */
  bytes: Buffer;
  /** Permission bits and type, from the same open file as the contents. */
  mode: number;
}

/** What a non-regular file is, in words for the message. */
function kindOf(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/** Reads a regular file of at most `maxBytes`; throws InputFileError naming the file otherwise. */
export async function readInputFile(file: string, maxBytes = MAX_INPUT_FILE_BYTES): Promise<InputFile> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new InputFileError(file, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new InputFileError(file, `${kindOf(st)}, not a regular file`);
    if (st.size > maxBytes) throw new InputFileError(file, tooLarge(maxBytes, st.size));
    // st.size can be stale (a file being written) or 0 (/proc files are regular and sized 0):
    // read up to one byte past the limit and judge by what was read.
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new InputFileError(file, tooLarge(maxBytes));
    // A copy, so that the megabyte read into is not kept alive by a small file's contents.
    return { bytes: Buffer.from(buffer.subarray(0, length)), mode: st.mode };
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(file, (err as NodeJS.ErrnoException).code ?? String(err));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** readInputFile's contents as UTF-8 text. */
export async function readInputText(file: string, maxBytes = MAX_INPUT_FILE_BYTES): Promise<string> {
  return (await readInputFile(file, maxBytes)).bytes.toString('utf8');
}

function tooLarge(maxBytes: number, size?: number): string {
  const limit = `the limit of ${maxBytes} bytes`;
  return size === undefined ? `larger than ${limit}` : `${size} bytes, larger than ${limit}`;
}
