import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcFs } from '../../collectors/procfs.js';
import { Engine } from '../../src/pipeline/engine.js';
import { generateProcTree } from '../fixture-procs.js';
import { cpuMsSince, median, round } from '../stats.js';

type Op =
  | { kind: 'kept' | 'once'; rel: string; oneRead: boolean }
  | { kind: 'dir' | 'count' | 'link' | 'release' | 'statfs'; rel: string };

/** A ProcFs that records every operation of a tick, so the floor can replay exactly those reads. */
class RecordingProcFs extends ProcFs {
  ops: Op[] = [];
  override readKept(rel: string, oneRead = false) {
    this.ops.push({ kind: 'kept', rel, oneRead });
    return super.readKept(rel, oneRead);
  }
  override readOnce(rel: string, oneRead = false) {
    this.ops.push({ kind: 'once', rel, oneRead });
    return super.readOnce(rel, oneRead);
  }
  override release(rel: string) {
    this.ops.push({ kind: 'release', rel });
    super.release(rel);
  }
  override listDir(rel: string) {
    this.ops.push({ kind: 'dir', rel });
    return super.listDir(rel);
  }
  override countFds(rel: string) {
    this.ops.push({ kind: 'count', rel });
    return super.countFds(rel);
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
    if (op.kind === 'kept') fs.readKept(op.rel, op.oneRead);
    else if (op.kind === 'once') fs.readOnce(op.rel, op.oneRead);
    else if (op.kind === 'release') fs.release(op.rel);
    else if (op.kind === 'dir') fs.listDir(op.rel);
    else if (op.kind === 'count') fs.countFds(op.rel);
    else if (op.kind === 'link') fs.readLink(op.rel);
    else await fs.statfs(op.rel).catch(() => undefined);
  }
}

/** Idle time before each measured tick and each floor replay, so that both start from the same cache state. */
const PAUSE_MS = 20;

const pause = () => new Promise((r) => setTimeout(r, PAUSE_MS));

/**
 * Median CPU of a tick and of the bare replay of that same tick's file operations. process.cpuUsage
 * also counts V8's background threads, so the measured ticks come after a long warm-up: in the first
 * few dozen ticks the optimising compiler's work (several ms a tick) would otherwise be billed to the
 * tick, whereas a running agent pays it once. Tick and floor alternate, each after the same pause, so
 * that neither runs on caches the other has just warmed.
 */
async function measure(
  root: string,
  warmup: number,
  ticks: number,
): Promise<{ tick: number; floor: number; procs: number }> {
  const fs = new RecordingProcFs(root);
  const engine = new Engine({ root, fs, intervalMs: 1000 });
  const floorFs = new ProcFs(root);
  const tickCpu: number[] = [];
  const floorCpu: number[] = [];
  let procs = 0;
  try {
    for (let i = 0; i < warmup + ticks; i++) {
      fs.ops = [];
      await pause();
      let start = process.cpuUsage();
      const frame = await engine.tick();
      const tick = cpuMsSince(start);
      procs = frame.metrics['tasks.processes']?.[''] ?? procs;
      await pause();
      start = process.cpuUsage();
      await replay(floorFs, fs.ops);
      const floor = cpuMsSince(start);
      if (i >= warmup) {
        tickCpu.push(tick);
        floorCpu.push(floor);
      }
    }
  } finally {
    engine.close();
    floorFs.close();
  }
  return { tick: median(tickCpu), floor: median(floorCpu), procs };
}

/** Collect + derive tick cost on the live machine and on a generated 1,000-process root, against the bare-read floor. */
export async function runTickBench(ticks = 100, warmup = 200): Promise<Record<string, number>> {
  const live = await measure('/', warmup, ticks);
  const dir = mkdtempSync(join(tmpdir(), 'usewatch-bench-'));
  try {
    generateProcTree(dir, 1000);
    const big = await measure(dir, warmup / 4, ticks);
    console.log('tick (collect + derive)');
    console.log(
      `  live host, ${live.procs} processes: ${live.tick.toFixed(2)} ms CPU per tick (median of ${ticks}, after ${warmup} warm-up ticks)`,
    );
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
