import { describe, expect, it } from 'vitest';
import type { EvaluationInput } from '../../src/model/evaluation.js';
import type { KernelEvent, ProcessEntry } from '../../src/model/frame.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { OomVictims } from '../../src/use/oom-victims.js';
import { checklist, hostOomRule, proc, rule } from './helpers.js';

const WEB = '/system.slice/web.service';
const DB = '/system.slice/db.service';

function summary(pid: number, name: string, memcg: string, ts: number): KernelEvent {
  const text = `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${memcg},task_memcg=${memcg},task=${name},pid=${pid},uid=0`;
  return { ts, resource: 'memory', kind: 'oom', text };
}

function killed(pid: number, name: string, ts: number): KernelEvent {
  const text = `Memory cgroup out of memory: Killed process ${pid} (${name}) total-vm:177664kB, anon-rss:30000kB, file-rss:720kB, shmem-rss:0kB, UID:0 pgtables:128kB oom_score_adj:1000`;
  return { ts, resource: 'memory', kind: 'oom', text };
}

const cgroupRule = rule({
  id: 'cgroup.memory.errors.oom_kill',
  metric: 'cgroup.memory.oom_kills',
  dimension: 'errors',
  crit: 0,
  clearForMs: 300_000,
  summary: '{instance}: {value} processes killed by the OOM killer',
});

function tick(
  ts: number,
  kills: Record<string, number>,
  kernelEvents: KernelEvent[] = [],
  processes: ProcessEntry[] = [],
) {
  const hostKills = Object.values(kills).reduce((a, b) => a + b, 0);
  const input: EvaluationInput = {
    metrics: { 'cgroup.memory.oom_kills': kills, 'memory.oom_kills': { '': hostKills } },
    processes,
    kernelEvents,
    ts,
  };
  return input;
}

describe('OOM findings name their victims', () => {
  it("gives a cgroup's finding the victims that ran in it, not another cgroup's", () => {
    const ev = new UseEvaluator({ checklist: checklist([cgroupRule, hostOomRule]) });
    ev.evaluate(tick(0, { [WEB]: 0, [DB]: 0 }));
    // The kill is logged a tick before the counter is read.
    ev.evaluate(
      tick(1000, { [WEB]: 0, [DB]: 0 }, [summary(1234, 'stress-ng-vm', WEB, 900), killed(1234, 'stress-ng-vm', 900)]),
    );
    const { findings } = ev.evaluate(tick(2000, { [WEB]: 1, [DB]: 1 }, [summary(77, 'postgres', DB, 1950)]));
    const byId = new Map(findings.map((f) => [f.id, f]));
    expect(byId.get(`cgroup.memory.errors.oom_kill@${WEB}`)?.evidence.victims).toEqual([
      { pid: 1234, name: 'stress-ng-vm', ts: 900, rssBytes: 30720 * 1024 },
    ]);
    expect(byId.get(`cgroup.memory.errors.oom_kill@${DB}`)?.evidence.victims).toEqual([
      { pid: 77, name: 'postgres', ts: 1950 },
    ]);
    // the host-wide finding gets every victim, oldest first
    expect(byId.get('memory.errors.oom_kill@')?.evidence.victims?.map((v) => v.pid)).toEqual([1234, 77]);
  });

  it('places a victim logged without its cgroup by the cgroup its pid was seen in', () => {
    const ev = new UseEvaluator({ checklist: checklist([cgroupRule]) });
    ev.evaluate(tick(0, { [WEB]: 0 }, [], [proc(555, 'leaky', { cgroup: `${WEB}/worker` })]));
    const [f] = ev.evaluate(tick(1000, { [WEB]: 1 }, [killed(555, 'leaky', 950)])).findings;
    expect(f.evidence.victims?.map((v) => v.name)).toEqual(['leaky']);
  });

  it('attaches no victim from before the episode, and keeps those of the episode while it fires', () => {
    const ev = new UseEvaluator({ checklist: checklist([cgroupRule]) });
    ev.evaluate(tick(0, { [WEB]: 0 }, [summary(1, 'old', WEB, 0)]));
    for (let ts = 1000; ts <= 60_000; ts += 1000) ev.evaluate(tick(ts, { [WEB]: 0 }));
    ev.evaluate(tick(61_000, { [WEB]: 1 }, [summary(2, 'new', WEB, 60_900)]));
    const [f] = ev.evaluate(tick(62_000, { [WEB]: 0 })).findings;
    expect(f.state).toBe('firing');
    expect(f.evidence.victims?.map((v) => v.name)).toEqual(['new']);
  });

  it('leaves findings of other rules and OOM findings without records alone', () => {
    const ev = new UseEvaluator({ checklist: checklist([cgroupRule]) });
    const [f] = ev.evaluate(tick(0, { [WEB]: 1 })).findings;
    expect(f.evidence.victims).toBeUndefined();
  });
});

describe('OomVictims', () => {
  const none = () => undefined;

  it('merges the two records of one kill, and tells a reused pid apart', () => {
    const v = new OomVictims();
    v.add([summary(9, 'a', WEB, 0), killed(9, 'a', 10)], none);
    v.add([summary(9, 'b', DB, 60_000)], none);
    expect(v.since(0, WEB)).toEqual([{ pid: 9, name: 'a', ts: 0, rssBytes: 30720 * 1024 }]);
    expect(v.since(0, DB).map((x) => x.name)).toEqual(['b']);
  });

  it('forgets victims past the age bound and keeps only the newest past the count bound', () => {
    const v = new OomVictims({ maxCount: 3, maxAgeMs: 10_000 });
    v.add(
      [1, 2, 3, 4, 5].map((pid) => summary(pid, `p${pid}`, WEB, pid * 1000)),
      none,
    );
    expect(v.since(0).map((x) => x.pid)).toEqual([3, 4, 5]);
    v.expire(14_500);
    expect(v.since(0).map((x) => x.pid)).toEqual([5]);
  });

  it('shows the name sanitised and ignores non-OOM events', () => {
    const v = new OomVictims();
    v.add(
      [
        killed(3, 'x\u202ey', 0),
        { ts: 0, resource: 'disk', kind: 'io_error', text: 'Killed process 4 (z) total-vm:1kB' },
      ],
      none,
    );
    expect(v.since(0).map((x) => x.name)).toEqual(['x?y']);
  });
});
