import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProcTree } from '../../bench/fixture-procs.js';
import { ProcFs } from '../../collectors/procfs.js';
import { serializeFrame } from '../../src/model/frame.js';
import { Engine } from '../../src/pipeline/engine.js';

const hostRoot = new URL('../fixtures/host/', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('engine', () => {
  it('turns a fixture root into frames: gauges at once, rates from the second tick', async () => {
    const engine = new Engine({ root: hostRoot });
    const first = await engine.tick();
    await new Promise((r) => setTimeout(r, 20));
    const second = await engine.tick();
    engine.close();

    expect(first.seq).toBe(1);
    expect(second.seq).toBe(2);
    expect(first.intervalMs).toBe(0);
    expect(second.intervalMs).toBeGreaterThan(0);
    // Gauges come from one sample; the fixture host has 2 CPUs and a known MemTotal.
    expect(first.metrics['cpu.count']['']).toBe(2);
    expect(first.metrics['memory.total_bytes'][''] ?? 0).toBeGreaterThan(1e9);
    expect(first.metrics['memory.utilization']['']).toBeGreaterThan(0);
    // Rates need two samples: none on the first frame. The fixture files do not change, so rates are 0.
    expect(first.metrics['cpu.context_switches_ps']).toBeUndefined();
    expect(second.metrics['cpu.context_switches_ps']['']).toBe(0);
    expect(second.metrics['disk.reads_ps'].vda).toBe(0);
    expect(Object.keys(second.metrics['net.rx_bps'])).toContain('eth0');
    // Every family ran; the fixture's absent optional sources are reported, none failed.
    expect(second.self.collectors.map((c) => c.name)).toEqual([
      'cpu',
      'pressure',
      'memory',
      'kernel',
      'disk',
      'network',
      'filesystem',
      'kmsg',
      'cgroups',
      'processes',
    ]);
    expect(first.sources.filter((s) => s.status === 'failed')).toEqual([]);
    expect(second.counters?.cpus?.count).toBe(2);
  });

  it('keeps a frame with 100 processes under the 16 KB feed budget, without the in-process counters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usewatch-engine-'));
    dirs.push(dir);
    generateProcTree(dir, 100);
    const engine = new Engine({ root: dir });
    await engine.tick();
    const frame = await engine.tick();
    engine.close();
    const json = serializeFrame(frame);
    expect(json).not.toContain('"counters"');
    expect(frame.processes.length).toBeGreaterThan(5);
    expect(Buffer.byteLength(json)).toBeLessThan(16 * 1024);
  });
});

/** statfs answers after `ms` on a timer, as the thread pool does; the first read of /proc/loadavg keeps the thread busy `ms`. */
class SlowStatfsFs extends ProcFs {
  statfsCalls = 0;
  private spun = false;
  constructor(
    root: string,
    private readonly ms: number,
  ) {
    super(root);
  }
  override statfs(absPath: string) {
    this.statfsCalls++;
    return new Promise<Awaited<ReturnType<ProcFs['statfs']>>>((resolve, reject) =>
      setTimeout(() => super.statfs(absPath).then(resolve, reject), this.ms),
    );
  }
  override readKept(rel: string, oneRead = false) {
    if (rel === 'proc/loadavg' && !this.spun) {
      this.spun = true;
      const until = performance.now() + this.ms;
      while (performance.now() < until);
    }
    return super.readKept(rel, oneRead);
  }
}

describe('engine: collectors that wait on the thread pool', () => {
  it('runs statfs while the other collectors read: a tick takes the slower of the two, not their sum', async () => {
    const fs = new SlowStatfsFs(hostRoot, 100);
    const engine = new Engine({ root: hostRoot, fs, statfsTimeoutMs: 5000 });
    const frame = await engine.tick();
    engine.close();
    expect(fs.statfsCalls).toBeGreaterThan(0);
    // In turn it would be 100 ms of the cpu collector, then 100 ms of statfs: 200 ms or more.
    expect(frame.self.tickMs).toBeLessThan(170);
    // The filesystem collector is charged what it added to the tick, not the others' reads.
    const filesystem = frame.self.collectors.find((c) => c.name === 'filesystem');
    expect(filesystem?.ok).toBe(true);
    expect(filesystem?.durationMs).toBeLessThan(50);
  });
});
