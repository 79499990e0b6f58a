import type { SourceLog } from '../procfs.js';
import type { FileTally, Tallies } from './tally.js';

/**
 * One report for the family; per-pid denials and vanishings are normal and only counted.
 * `ioEverAllowed`: whether any process's io was ever read, which tells "not root" from "this process".
 */
export function summarise(log: SourceLog, listed: number, detailed: number, t: Tallies, ioEverAllowed: boolean): void {
  const failures: [string, FileTally][] = [
    ['stat', t.stat],
    ['schedstat', t.schedstat],
    ['status', t.status],
    ['io', t.io],
    ['limits', t.limits],
    ['cgroup', t.cgroup],
  ];
  for (const [file, tally] of failures) {
    if (tally.failed > 0) {
      log.report(`proc/[pid]/${file}`, 'failed', `${tally.failed} unreadable, first: ${tally.firstFailure}`);
    }
  }
  if (t.io.denied > 0 && !ioEverAllowed) {
    log.report(
      'proc/[pid]/io',
      'denied',
      `EACCES for all ${t.io.denied} processes tried (per-process I/O needs root or CAP_SYS_PTRACE)`,
    );
  }
  const notes: string[] = [];
  if (t.io.denied > 0 && ioEverAllowed) notes.push(`io denied for ${t.io.denied}`);
  if (t.fd.denied > 0) notes.push(`fd denied for ${t.fd.denied}`);
  if (t.stat.denied > 0) notes.push(`stat denied for ${t.stat.denied}`);
  const reason = `${listed} processes, ${detailed} read in detail${notes.length > 0 ? `; ${notes.join(', ')}` : ''}`;
  if (listed === 0) log.report('proc/[pid]', 'absent', 'no readable process directory under proc');
  else log.report('proc/[pid]', 'ok', reason);
}
