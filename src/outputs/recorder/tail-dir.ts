import { chmod, mkdtemp, rmdir, statfs } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join } from 'node:path';

const TAIL_DIR_PREFIX = 'usewatch-tails-';

/** statfs(2) f_type of file systems held in memory: their writes never wait for a disk. */
const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;

export function isMemoryFs(type: number): boolean {
  return type === TMPFS_MAGIC || type === RAMFS_MAGIC;
}

/**
 * Where tails may live, best first: the service's runtime directory (systemd sets
 * RUNTIME_DIRECTORY, several joined by ':'), the user's, then /dev/shm.
 */
export function tailDirCandidates(env: NodeJS.ProcessEnv): string[] {
  const dirs = [env.RUNTIME_DIRECTORY?.split(':')[0], env.XDG_RUNTIME_DIR, '/dev/shm'];
  return dirs.filter((dir): dir is string => dir?.startsWith('/') ?? false);
}

/**
 * A new directory of this recorder's own on the first candidate that is tmpfs and writable;
 * undefined when there is none (a container without /dev/shm), and tails stay beside on disk.
 * Readable by all, as the recording directory's files are by default: a reader follows the links.
 */
export async function createTailDir(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const parent of tailDirCandidates(env)) {
    try {
      if (!isMemoryFs((await statfs(parent)).type)) continue;
      const dir = await mkdtemp(join(parent, TAIL_DIR_PREFIX));
      await chmod(dir, 0o755);
      return dir;
    } catch {
      // Absent, not ours to write: the next candidate.
    }
  }
  return undefined;
}

/**
 * Whether a tail link points where a recorder puts tails: a file of the link's name in a directory
 * of createTailDir's. Retention deletes what a link points to only then, so that a link planted in
 * the recording directory cannot make the agent delete any other file.
 */
export function isTailInMemory(link: string, target: string): boolean {
  const dir = dirname(target);
  return isAbsolute(target) && target === tailInDir(dir, link) && basename(dir).startsWith(TAIL_DIR_PREFIX);
}

/** The file in tail directory `dir` that the tail at `tailPath` links to. */
export function tailInDir(dir: string, tailPath: string): string {
  return join(dir, basename(tailPath));
}

/**
 * Removes the directory once its tails are gone. One a failed segment left (its frames not yet in
 * the segment) keeps it, for readers and the next run's retention to find through the link.
 */
export async function removeTailDir(dir: string): Promise<void> {
  await rmdir(dir).catch(() => undefined);
}
