import type { CpuSample } from '../../collectors/cpu.js';
import type { KernelSample } from '../../collectors/kernel.js';
import { counterDelta, counterRate, counterToNumber } from './counter.js';
import type { Deriver } from './types.js';

function ratio(part: number | undefined, whole: number | undefined): number | undefined {
  return part === undefined || whole === undefined || whole <= 0 ? undefined : part / whole;
}

export const deriveKernel: Deriver<KernelSample> = (prev, cur, { out }) => {
  if (cur.fileNr) {
    const allocated = counterToNumber(cur.fileNr.allocated);
    const max = counterToNumber(cur.fileNr.max);
    out.set('fd.allocated', '', allocated);
    out.set('fd.max', '', max);
    out.set('fd.utilization', '', ratio(allocated, max));
  }

  const limit =
    cur.threadsMax === undefined || cur.pidMax === undefined ? undefined : Math.min(cur.threadsMax, cur.pidMax);
  out.set('tasks.count', '', cur.threads);
  out.set('tasks.limit', '', limit);
  out.set('tasks.utilization', '', ratio(cur.threads, limit));
  if (cur.pids) {
    out.set('tasks.cgroup_utilization', '', ratio(cur.pids.current, cur.pids.max));
    out.set('tasks.fork_rejected', '', counterDelta(prev?.pids?.forkRejected, cur.pids.forkRejected));
  }

  const tcp = cur.sockstat?.tcp;
  if (tcp) {
    out.set('tcp.inuse', '', tcp.inuse);
    out.set('tcp.orphans', '', tcp.orphan);
    out.set('tcp.time_wait', '', tcp.tw);
    out.set('tcp.mem_utilization', '', ratio(tcp.memPages, cur.tcpMem?.high));
    out.set('tcp.mem_pressure_ratio', '', ratio(tcp.memPages, cur.tcpMem?.pressure));
  }

  if (cur.conntrack) {
    out.set('conntrack.entries', '', cur.conntrack.count);
    out.set('conntrack.limit', '', cur.conntrack.max);
    out.set('conntrack.utilization', '', ratio(cur.conntrack.count, cur.conntrack.max));
  }
};

/** Forks per second from /proc/stat's processes counter, which the cpu collector reads (src/pipeline/families.ts). */
export const deriveTaskForks: Deriver<CpuSample> = (prev, cur, { out, dtSeconds }) => {
  if (prev !== undefined)
    out.set('tasks.forks_ps', '', counterRate(prev.stat.processes, cur.stat.processes, dtSeconds));
};
