import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOomKillRecord } from '../../src/use/oom-record.js';

// Lines as a Linux 6.18 host logged them for a stress-ng --vm worker in a v1 memory cgroup limited to 32M.
const SUMMARY =
  'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/oomtest-32375.service,task_memcg=/system.slice/oomtest-32375.service,task=stress-ng-vm,pid=32395,uid=0';
const KILLED =
  'Memory cgroup out of memory: Killed process 32395 (stress-ng-vm) total-vm:177664kB, anon-rss:27260kB, file-rss:580kB, shmem-rss:0kB, UID:0 pgtables:128kB oom_score_adj:1000';
// A host-wide OOM has no oom_memcg, and its kill line another reason.
const HOST_SUMMARY =
  'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/session-2.scope,task=java,pid=4242,uid=1000';
const HOST_KILLED =
  'Out of memory: Killed process 4242 (java) total-vm:8123456kB, anon-rss:6000000kB, file-rss:1024kB, shmem-rss:0kB, UID:1000 pgtables:12000kB oom_score_adj:0';

describe('parseOomKillRecord', () => {
  it('reads the victim and both cgroups from the oom-kill summary', () => {
    expect(parseOomKillRecord(SUMMARY, 1000)).toEqual({
      pid: 32395,
      name: 'stress-ng-vm',
      memcg: '/system.slice/oomtest-32375.service',
      oomMemcg: '/system.slice/oomtest-32375.service',
      ts: 1000,
    });
  });

  it('reads the victim and its resident memory from the "Killed process" line', () => {
    expect(parseOomKillRecord(KILLED, 5)).toEqual({ pid: 32395, name: 'stress-ng-vm', rssKb: 27840, ts: 5 });
  });

  it('reads a host-wide OOM: no limit cgroup, the victim where it ran', () => {
    expect(parseOomKillRecord(HOST_SUMMARY, 0)).toEqual({
      pid: 4242,
      name: 'java',
      memcg: '/user.slice/user-1000.slice/session-2.scope',
      ts: 0,
    });
    expect(parseOomKillRecord(HOST_KILLED, 0)).toMatchObject({ pid: 4242, name: 'java', rssKb: 6001024 });
  });

  it('reads the kill line of kernels before 5.1 and the one without a reason', () => {
    const old = 'Killed process 77 (mysqld) total-vm:2048kB, anon-rss:1024kB, file-rss:0kB, shmem-rss:0kB';
    expect(parseOomKillRecord(old, 0)).toEqual({ pid: 77, name: 'mysqld', rssKb: 1024, ts: 0 });
    const allocating = `Out of memory (oom_kill_allocating_task): ${old}`;
    expect(parseOomKillRecord(allocating, 0)).toMatchObject({ pid: 77, name: 'mysqld' });
  });

  it('keeps commas and parentheses in names and gives cgroup paths back unescaped', () => {
    const escaped = SUMMARY.replaceAll('oomtest-32375', 'system-getty\\x5cx2dx.slice/a,b').replace(
      'task=stress-ng-vm',
      'task=a,b',
    );
    expect(parseOomKillRecord(escaped, 0)).toMatchObject({
      name: 'a,b',
      memcg: '/system.slice/system-getty\\x2dx.slice/a,b.service',
    });
    expect(parseOomKillRecord(KILLED.replace('(stress-ng-vm)', '(we(ird) )'), 0)?.name).toBe('we(ird) ');
  });

  it('names no victim for the other lines of an OOM report', () => {
    for (const line of [
      'stress-ng-vm invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=1000',
      'oom_reaper: reaped process 32395 (stress-ng-vm), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
      'Memory cgroup stats for /system.slice/oomtest-32375.service:',
      'Memory cgroup out of memory: Kill process 12 (x) score 900 or sacrifice child',
      SUMMARY.replace('pid=32395', 'pid=0'),
      SUMMARY.slice(0, 120),
    ]) {
      expect(parseOomKillRecord(line, 0)).toBeUndefined();
    }
  });

  it('never throws, and whatever it reads is a victim a view can show', () => {
    const valid = (r: ReturnType<typeof parseOomKillRecord>) => {
      if (r === undefined) return;
      expect(Number.isSafeInteger(r.pid) && r.pid > 0).toBe(true);
      expect(r.name.length).toBeGreaterThan(0);
      if (r.rssKb !== undefined) expect(Number.isFinite(r.rssKb)).toBe(true);
    };
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => valid(parseOomKillRecord(text, 0))));
    for (const real of [SUMMARY, KILLED, HOST_SUMMARY]) {
      fc.assert(fc.property(fc.nat({ max: real.length }), (n) => valid(parseOomKillRecord(real.slice(0, n), 0))));
      fc.assert(
        fc.property(fc.nat({ max: real.length - 1 }), fc.string({ minLength: 1, maxLength: 3 }), (i, junk) =>
          valid(parseOomKillRecord(real.slice(0, i) + junk + real.slice(i + 1), 0)),
        ),
      );
    }
  });
});
