import { describe, expect, it } from 'vitest';
import { processActivity } from '../../../collectors/cgroup/activity.js';
import type { ProcessesSample, ProcessSample } from '../../../collectors/process/sample.js';

/** A process of `cgroup` (none: a slice or the root) that has used `utime` + `stime` clock ticks. */
function proc(pid: number, cgroup: string | undefined, utime = 100, stime = 10): ProcessSample {
  return { key: `${pid}:1`, pid, cgroup, utime, stime } as ProcessSample;
}

function sample(...processes: ProcessSample[]): ProcessesSample {
  return { processes: new Map(processes.map((p) => [p.key, p])), pageSize: 4096, detailed: 0 };
}

const WEB = '/system.slice/web.service';
const DB = '/system.slice/db.service';
const POD = '/kubepods.slice/kubepods-pod0a1b.slice';
const APP = `${POD}/cri-containerd-app.scope`;

describe('which workload cgroups had a process at work, from two process samples', () => {
  it('a process whose CPU time moved marks its cgroup and every cgroup above it; idle ones mark nothing', () => {
    const before = sample(proc(1, WEB), proc(2, DB), proc(3, APP), proc(4, undefined));
    const after = sample(proc(1, WEB), proc(2, DB, 100, 11), proc(3, APP, 101), proc(4, undefined, 900));
    expect([...(processActivity(after, before) ?? [])].sort()).toEqual(
      [DB, APP, POD, '/kubepods.slice', '/system.slice'].sort(),
    );
    expect(processActivity(before, before)).toEqual(new Set());
  });

  it('a process that appeared or ended marks its cgroup: a fork, an exec, an exit or an OOM kill ran in it', () => {
    const before = sample(proc(1, WEB), proc(2, DB));
    const after = sample(proc(1, WEB), proc(3, APP));
    expect([...(processActivity(after, before) ?? [])].sort()).toEqual(
      [DB, APP, POD, '/kubepods.slice', '/system.slice'].sort(),
    );
    // a reused pid is another process (its key holds the start time): the old one ended, the new began
    const reused = sample(proc(1, WEB), { ...proc(2, WEB), key: '2:7' });
    expect(processActivity(reused, before)).toEqual(new Set([WEB, DB, '/system.slice']));
  });

  it('tells nothing on the first tick, or when no process is in a workload cgroup (another pid namespace)', () => {
    const now = sample(proc(1, WEB, 200));
    expect(processActivity(now, undefined)).toBeUndefined();
    expect(processActivity(undefined, now)).toBeUndefined();
    expect(processActivity(sample(proc(1, undefined, 5)), sample(proc(1, undefined, 4)))).toBeUndefined();
  });
});
