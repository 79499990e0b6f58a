import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * `mkdir -p` made of single mkdir calls. Node's own `mkdir(path, { recursive: true })` never
 * returns when a parent exists but answers ENOENT for its children (procfs: `/proc/x`, or a
 * dangling symlink): it creates the parent (EEXIST), retries the child (ENOENT), and so on for
 * ever, a thread-pool thread at 100 % and a promise that never settles. Here each level is tried
 * at most twice, and the second ENOENT is final.
 */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return expectDirectory(path, err);
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw err;
    await makeDirectory(parent);
  }
  try {
    await mkdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return expectDirectory(path, err);
    throw err;
  }
}

async function expectDirectory(path: string, exists: unknown): Promise<void> {
  if ((await stat(path)).isDirectory()) return;
  throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', cause: exists });
}

const PROBE_BYTES = 4096;

/**
 * Why `dir` cannot hold a recording, or undefined when it can: it is (or can be made) a directory,
 * and a file can be created, written, synced and removed in it. With `create` false the directory
 * must exist already (the parent of `record --out FILE`). Checked once at start so that
 * `--record /proc/x`, a read-only file system or a regular file is refused with its name, rather
 * than found out later by the recorder.
 */
export async function recordingDirectoryProblem(dir: string, opts: { create: boolean }): Promise<string | undefined> {
  try {
    if (opts.create) await makeDirectory(dir);
    else if (!(await stat(dir)).isDirectory()) return `${dir} is not a directory`;
  } catch (err) {
    return `cannot ${opts.create ? 'create' : 'use'} the directory ${dir}: ${describe(err)}`;
  }
  // A random name: a probe left by a killed run (in a container the pid is the same every start)
  // must not be in the way of the next one.
  const probe = join(dir, `.usewatch-probe-${randomBytes(6).toString('hex')}`);
  try {
    const file = await open(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await file.write(Buffer.alloc(PROBE_BYTES));
      await file.sync();
    } finally {
      await file.close();
      await unlink(probe).catch(() => undefined);
    }
  } catch (err) {
    return `cannot write a file in ${dir}: ${describe(err)}`;
  }
  return undefined;
}

function describe(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? String(err);
}
