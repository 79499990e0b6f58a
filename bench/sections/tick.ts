import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcFs } from '../../collectors/procfs.js';
import { Engine } from '../../src/pipeline/engine.js';
import { generateProcTree } from '../fixture-procs.js';
import { cpuMsSince, median, round } from '../stats.js';

type Op = { kind: 'kept' | 'once' | 'dir' | 'link'; rel: string } | { kind: 'statfs'; rel: string };

/** A ProcFs that records every operation of a tick, so the floor can replay exactly those reads. */
class RecordingProcFs extends ProcFs {
  ops: Op[] = [];
  override readKept(rel: string) {
    this.ops.push({ kind: 'kept', rel });
    return super.readKept(rel);
  }
  override readOnce(rel: string) {
    this.ops.push({ kind: 'once', rel });
    return super.readOnce(rel);
  }
  override listDir(rel: string) {
    this.ops.push({ kind: 'dir', rel });
    return super.listDir(rel);
  }
  override readLink(rel: string) {
    this.ops.push({ kind: 'link', rel });
    return super.readLink(rel);
  }
  override statfs(absPath: string) {
    this.ops.push({ kind: 'statfs', rel: absPath });
    return super.statfs(absPath);
  }
}

async function replay(fs: ProcFs, ops: Op[]): Promise<void> {
  for (const op of ops) {
    if (op.kind === 'kept') fs.readKept(op.rel);
    else if (op.kind === 'once') fs.readOnce(op.rel);
    else if (op.kind === 'dir') fs.listDir(op.rel);
    else if (op.kind === 'link') fs.readLink(op.rel);
    else await fs.statfs(op.rel).catch(() => undefined);
  }
}

async function measure(root: string, ticks: number): Promise<{ tick: number; floor: number; procs: number }> {
  const fs = new RecordingProcFs(root);
  const engine = new Engine({ root, fs, intervalMs: 1000 });
  const tickCpu: number[] = [];
  let procs = 0;
  for (let i = 0; i < ticks + 3; i++) {
    fs.ops = [];
    const start = process.cpuUsage();
    const frame = await engine.tick();
    const cpu = cpuMsSince(start);
    if (i >= 3) tickCpu.push(cpu); // the first ticks fill caches and have no rates
    procs = frame.metrics['tasks.processes']?.[''] ?? procs;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ops = fs.ops;
  engine.close();
  const floorFs = new ProcFs(root);
  const floorCpu: number[] = [];
  for (let i = 0; i < ticks + 3; i++) {
    const start = process.cpuUsage();
    await replay(floorFs, ops);
    const cpu = cpuMsSince(start);
    if (i >= 3) floorCpu.push(cpu);
  }
  floorFs.close();
  return { tick: median(tickCpu), floor: median(floorCpu), procs };
}

/** Collect + derive tick cost on the live machine and on a generated 1,000-process root, against the bare-read floor. */
export async function runTickBench(ticks = 30): Promise<Record<string, number>> {
  const live = await measure('/', ticks);
  const dir = mkdtempSync(join(tmpdir(), 'usewatch-bench-'));
  try {
    generateProcTree(dir, 1000);
    const big = await measure(dir, ticks);
    console.log('tick (collect + derive)');
    console.log(`  live host, ${live.procs} processes: ${live.tick.toFixed(2)} ms CPU per tick (median of ${ticks})`);
    console.log(
      `  bare read of the same files:   ${live.floor.toFixed(2)} ms CPU  (ratio ${(live.tick / live.floor).toFixed(2)}, budget ≤ 1.5)`,
    );
    console.log(`  generated root, ${big.procs} processes: ${big.tick.toFixed(2)} ms CPU per tick (budget ≤ 30)`);
    console.log(`  bare read of the same files:   ${big.floor.toFixed(2)} ms CPU`);
    return {
      tick_cpu_ms: round(live.tick),
      floor_cpu_ms: round(live.floor),
      tick_cpu_ms_1000: round(big.tick),
      floor_cpu_ms_1000: round(big.floor),
      procs: live.procs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
