import { ProcFs } from '../../collectors/procfs.js';

// Kept for the life of the process: ProcFs learns once whether st_size of an fd directory counts
// descriptors (Linux ≥ 6.2), which makes each count one stat instead of listing /proc/self/fd.
const ownProc = new ProcFs('/');

/** The agent's own open file descriptors; undefined where there is no /proc (not Linux). */
export function countOpenFds(): number | undefined {
  const fds = ownProc.countFds('proc/self/fd');
  return fds.ok ? fds.count : undefined;
}
