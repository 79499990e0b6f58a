import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateProcTree } from '../../bench/fixture-procs.js';
import { generateCgroupTree } from '../../bench/sections/cgroups.js';
import { createCgroupCollector } from '../../collectors/cgroup/collector.js';
import { createCgroupDiscovery } from '../../collectors/cgroup/discover.js';
import { ProcFs } from '../../collectors/procfs.js';
import { loadChecklist } from '../../src/checklist/load.js';
import type { Frame } from '../../src/model/frame.js';
import { serializeFrame } from '../../src/model/frame.js';
import { Engine, type EngineOptions } from '../../src/pipeline/engine.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { reading } from '../derive/cgroup-samples.js';
import { checklist, rule } from '../use/helpers.js';
import { scriptedCgroupCollector, syntheticCgroupCollector } from './synthetic-cgroups.js';

const HOST = new URL('../fixtures/host/', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `count` ticks one second apart on the monotonic clock; returns the last frame. */
async function ticks(opts: EngineOptions, count = 2): Promise<Frame> {
  let mono = 50_000;
  const perfNow = vi.spyOn(performance, 'now').mockImplementation(() => mono);
  const engine = new Engine({ root: HOST, ...opts });
  try {
    let frame = await engine.tick();
    for (let i = 1; i < count; i++) {
      mono += 1000;
      frame = await engine.tick();
    }
    return frame;
  } finally {
    engine.close();
    perfNow.mockRestore();
  }
}

const WEB = '/system.slice/web.service';
const IDLE = '/system.slice/idle.service';

describe('the cgroups family in the engine', () => {
  it("reads the root's cgroups by default, listed after kmsg and before processes; false leaves it out", async () => {
    const host = await ticks({}, 1);
    expect(host.cgroups).toEqual([]);
    expect(host.self.collectors.map((c) => c.name).slice(-3)).toEqual(['kmsg', 'cgroups', 'processes']);
    const without = await ticks({ cgroupCollector: false }, 1);
    expect(without.cgroups).toBeUndefined();
    expect(without.self.collectors.map((c) => c.name)).not.toContain('cgroups');
    const frame = await ticks({ cgroupCollector: scriptedCgroupCollector([{ cgroups: [] }]) }, 1);
    expect(frame.cgroups).toEqual([]);
    expect(frame.self.collectors.map((c) => c.name).slice(-3)).toEqual(['kmsg', 'cgroups', 'processes']);
  });

  it('puts the entries, the cgroup.* metrics and the counter rows on the frame, utilization over the fixture CPUs', async () => {
    const collector = scriptedCgroupCollector([
      { cgroups: [reading(WEB, { cpuUsageUsec: 0, memoryCurrentBytes: 100, pidsCurrent: 3 })] },
      { cgroups: [reading(WEB, { cpuUsageUsec: 500_000, memoryCurrentBytes: 100, pidsCurrent: 3 })] },
    ]);
    const frame = await ticks({ cgroupCollector: collector });
    expect(frame.cgroups).toEqual([{ id: WEB, name: 'web.service', kind: 'service', runtime: 'systemd' }]);
    expect(frame.metrics['cgroup.cpu.usage'][WEB]).toBe(0.5);
    expect(frame.metrics['cgroup.cpu.utilization'][WEB]).toBe(0.25); // the fixture host has 2 CPUs
    expect(frame.counters?.cgroups).toEqual([
      expect.objectContaining({ id: WEB, cpuUsageSeconds: 0.5, memoryUsageBytes: 100, pids: 3 }),
    ]);
  });

  it('evaluates every cgroup read but carries only the top N and those with an active finding', async () => {
    const many = (usec: number) => ({
      cgroups: [
        ...Array.from({ length: 20 }, (_, i) =>
          reading(`/system.slice/busy-${i}.service`, { cpuUsageUsec: usec * (i + 1), memoryCurrentBytes: 0 }),
        ),
        reading(IDLE, { cpuUsageUsec: 0, memoryCurrentBytes: 0, pidsCurrent: 95, pidsMax: 100 }),
      ],
    });
    const pids = rule({ id: 'cgroup.tasks.utilization', metric: 'cgroup.pids.utilization', warn: 0.7 });
    const evaluator = new UseEvaluator({ checklist: checklist([pids]) });
    const frame = await ticks({
      cgroupCollector: scriptedCgroupCollector([many(0), many(1000)]),
      evaluator,
      cgroupsTop: 3,
    });
    expect(frame.findings.map((f) => f.id)).toEqual([`cgroup.tasks.utilization@${IDLE}`]);
    const carried = [
      IDLE,
      '/system.slice/busy-17.service',
      '/system.slice/busy-18.service',
      '/system.slice/busy-19.service',
    ];
    expect(frame.cgroups?.map((c) => c.id).sort()).toEqual(carried.sort());
    expect(Object.keys(frame.metrics['cgroup.cpu.usage']).sort()).toEqual(carried.sort());
    expect(frame.counters?.cgroups?.map((c) => c.id)).toEqual(frame.cgroups?.map((c) => c.id));
  });

  it('keeps a frame with 200 cgroups, 100 processes and the default checklist under the 16 KB feed budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usewatch-cgroups-'));
    dirs.push(dir);
    generateProcTree(dir, 100);
    const evaluator = new UseEvaluator({ checklist: await loadChecklist() });
    const frame = await ticks({ root: dir, evaluator, cgroupCollector: syntheticCgroupCollector(200) });
    expect(frame.cgroups).toHaveLength(5);
    expect(Buffer.byteLength(serializeFrame(frame))).toBeLessThan(16 * 1024);
  });

  it('reads the cgroups where a process was at work and those the last frame carried; the others sleep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usewatch-cgroups-'));
    dirs.push(dir);
    generateProcTree(dir, 100); // its processes are in /system.slice/svc-<pid % 40>.service
    generateCgroupTree(dir, 40);
    writeFileSync(join(dir, 'sys/fs/cgroup/cgroup.controllers'), 'cpu io memory pids\n');
    const fs = new CpuStatReads(dir);
    let now = 0;
    const cgroupCollector = createCgroupCollector(createCgroupDiscovery({ now: () => now }), {
      now: () => now,
      unhintedEveryTicks: 1000,
    });
    const engine = new Engine({ root: dir, fs, cgroupCollector });
    try {
      const tick = async () => {
        now += 1000;
        fs.read.clear();
        return await engine.tick();
      };
      await tick(); // first sight
      const second = await tick(); // every cgroup read: idle
      // pid 20 (in svc-20) runs; nothing changes anywhere else
      const stat = join(dir, 'proc/20/stat');
      const fields = readFileSync(stat, 'latin1').split(' ');
      fields[13] = String(Number(fields[13]) + 30);
      writeFileSync(stat, fields.join(' '), 'latin1');
      await tick();
      const carried = second.cgroups?.map((c) => c.id) ?? [];
      expect(carried).toHaveLength(5);
      expect([...fs.read].sort()).toEqual([...new Set(['/system.slice/svc-20.service', ...carried])].sort());
    } finally {
      engine.close();
      fs.close();
    }
  });
});

/** Records which cgroups' cpu.stat a tick read. */
class CpuStatReads extends ProcFs {
  readonly read = new Set<string>();
  override readKept(rel: string, oneRead = false) {
    this.note(rel);
    return super.readKept(rel, oneRead);
  }
  override readOnce(rel: string, oneRead = false) {
    this.note(rel);
    return super.readOnce(rel, oneRead);
  }
  private note(rel: string): void {
    if (rel.endsWith('/cpu.stat')) this.read.add(rel.slice('sys/fs/cgroup'.length, -'/cpu.stat'.length));
  }
}
