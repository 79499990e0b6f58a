import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCgroupCollector } from '../../collectors/cgroup/collector.js';
import type { WorkloadCgroup } from '../../collectors/cgroup/sample.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { rng } from '../fixture-procs.js';
import { cpuMsSince, median, round } from '../stats.js';

/**
 * The cgroup collector's cost per tick on generated cgroup v2 trees of 200 and 1,000 workload
 * cgroups (every controller enabled, so every file is read), against the budgets of the issue:
 * the tick grows by at most 3 ms at 200 cgroups and 15 ms at 1,000. A share of the cgroups is
 * busy (used CPU since the last tick): their cpu.stat, memory and I/O files change between ticks,
 * outside the measured time, and the reader reads all their per-tick files. Before each read the
 * collector is told, as the engine tells it from the process table, that processes were at work in
 * the busy cgroups and in no other: an idle cgroup costs its CPU file every 10th tick and the rest
 * every 60th. Measured with a twentieth and a fifth busy. The clock given to the collector advances
 * one second a tick, as the agent's does.
 */

/**
 * Warm-up and measured ticks of the cgroup sections; `USEWATCH_BENCH_CGROUP_TICKS=N` measures N
 * after N/2 instead, for iterating (the sections' headers say how many were measured).
 */
export function measuredTicks(warmup: number, ticks: number): { warmup: number; ticks: number } {
  const n = Number(process.env.USEWATCH_BENCH_CGROUP_TICKS);
  return n > 0 ? { warmup: Math.ceil(n / 2), ticks: n } : { warmup, ticks };
}

const BUSY_SHARES = [0.05, 0.2];
const { warmup: WARMUP, ticks: TICKS } = measuredTicks(100, 300);
const PAUSE_MS = 5;

const psi = (some: number, full: number) =>
  `some avg10=0.00 avg60=0.00 avg300=0.00 total=${some}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${full}\n`;

/** memory.stat as a 6.x kernel prints it: ~60 keys, of which inactive_file is read. */
function memoryStat(random: () => number): string {
  const keys = `anon file kernel kernel_stack pagetables sec_pagetables percpu sock vmalloc shmem zswap zswapped
    file_mapped file_dirty file_writeback swapcached anon_thp file_thp shmem_thp inactive_anon active_anon
    inactive_file active_file unevictable slab_reclaimable slab_unreclaimable slab workingset_refault_anon
    workingset_refault_file workingset_activate_anon workingset_activate_file workingset_restore_anon
    workingset_restore_file workingset_nodereclaim pgdemote_kswapd pgdemote_direct pgdemote_khugepaged pgscan
    pgsteal pgscan_kswapd pgscan_direct pgscan_khugepaged pgsteal_kswapd pgsteal_direct pgsteal_khugepaged
    pgfault pgmajfault pgrefill pgactivate pgdeactivate pglazyfree pglazyfreed zswpin zswpout zswpwb
    thp_fault_alloc thp_collapse_alloc thp_swpout thp_swpout_fallback`.split(/\s+/);
  return keys.map((k) => `${k} ${Math.floor(random() * 2 ** 28)}\n`).join('');
}

/** The files of one cgroup that change while it is busy, for tick `t`. */
export function writeCounters(dir: string, i: number, t: number): void {
  const usage = 1_000_000 * i + 250_000 * t;
  writeFileSync(
    join(dir, 'cpu.stat'),
    `usage_usec ${usage}\nuser_usec ${usage >> 1}\nsystem_usec ${usage >> 1}\ncore_sched.force_idle_usec 0\n` +
      `nr_periods ${10 * t}\nnr_throttled ${t}\nthrottled_usec ${900 * t}\nnr_bursts 0\nburst_usec 0\n`,
  );
  writeFileSync(join(dir, 'memory.current'), `${(64 + (t % 16)) * 1048576}\n`);
  writeFileSync(
    join(dir, 'io.stat'),
    `254:0 rbytes=${4096 * (i + t)} wbytes=${8192 * t} rios=${i + t} wios=${2 * t} dbytes=0 dios=0\n`,
  );
  writeFileSync(join(dir, 'cpu.pressure'), psi(300 * t, 200 * t));
}

/**
 * A v2 tree of `count` services under system.slice, and the WorkloadCgroup list discovery would
 * give; with this process's proc/self/limits, so that descriptors are kept within the share of the
 * open-file limit the agent would give them.
 */
export function generateCgroupTree(root: string, count: number): WorkloadCgroup[] {
  const random = rng(count);
  mkdirSync(join(root, 'proc/self'), { recursive: true });
  // read and written, not copied: procfs files stat as empty, and copyFileSync copies 0 bytes of them
  writeFileSync(join(root, 'proc/self/limits'), readFileSync('/proc/self/limits'));
  const cgroups: WorkloadCgroup[] = [];
  for (let i = 0; i < count; i++) {
    const id = `/system.slice/svc-${i}.service`;
    const dir = join(root, 'sys/fs/cgroup', id);
    mkdirSync(dir, { recursive: true });
    writeCounters(dir, i, 0);
    const limited = i % 3 === 0;
    const files: Record<string, string> = {
      'cpu.max': limited ? '50000 100000\n' : 'max 100000\n',
      'memory.max': limited ? '536870912\n' : 'max\n',
      'memory.high': 'max\n',
      'memory.stat': memoryStat(random),
      'memory.events': `low 0\nhigh 0\nmax ${i % 7}\noom ${i % 11 === 0 ? 1 : 0}\noom_kill 0\noom_group_kill 0\n`,
      'pids.current': `${1 + (i % 40)}\n`,
      'pids.max': limited ? '512\n' : 'max\n',
      'pids.events': 'max 0\n',
      'memory.pressure': psi(i, i),
      'io.pressure': psi(2 * i, i),
    };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    cgroups.push({
      identity: { id, kind: 'service', name: `svc-${i}.service` },
      v2Dir: `sys/fs/cgroup${id}`,
      v1Dirs: {},
    });
  }
  return cgroups;
}

const pause = () => new Promise((r) => setTimeout(r, PAUSE_MS));

/** Median CPU of one collector read over the tree, busy cgroups changed before each tick. */
async function measure(
  root: string,
  cgroups: WorkloadCgroup[],
  busyShare: number,
): Promise<{ ms: number; floor: number; read: number; files: number }> {
  const fs = new RecordingFs(root);
  const floorFs = new ProcFs(root);
  let now = 0;
  const collector = createCgroupCollector({ workloads: () => cgroups }, { now: () => now });
  const busy = cgroups.slice(0, Math.round(cgroups.length * busyShare));
  const hint = { active: new Set(busy.map((cg) => cg.identity.id)), watched: new Set<string>() };
  const cpu: number[] = [];
  const files: number[] = [];
  const floor: number[] = [];
  let read = 0;
  try {
    for (let t = 1; t <= WARMUP + TICKS; t++) {
      for (const [i, cg] of busy.entries()) writeCounters(join(root, cg.v2Dir as string), i, t);
      now += 1000;
      await pause();
      fs.ops = [];
      const start = process.cpuUsage();
      collector.hint?.(hint);
      const sample = await collector.read(new SourceLog(fs));
      const ms = cpuMsSince(start);
      read = sample?.cgroups.length ?? 0;
      await pause();
      const bare = floorMs(floorFs, fs.ops);
      if (t > WARMUP) {
        cpu.push(ms);
        files.push(fs.ops.length);
        floor.push(bare);
      }
    }
  } finally {
    fs.close();
    floorFs.close();
  }
  return { ms: median(cpu), floor: median(floor), read, files: median(files) };
}

/** Records the files read, so that the floor can replay exactly those reads. */
class RecordingFs extends ProcFs {
  ops: { kept: boolean; rel: string }[] = [];
  override readKept(rel: string, oneRead = false) {
    this.ops.push({ kept: true, rel });
    return super.readKept(rel, oneRead);
  }
  override readOnce(rel: string, oneRead = false) {
    this.ops.push({ kept: false, rel });
    return super.readOnce(rel, oneRead);
  }
}

/** CPU of the bare reads of one tick, with no parsing or bookkeeping. */
function floorMs(fs: ProcFs, ops: RecordingFs['ops']): number {
  const start = process.cpuUsage();
  for (const op of ops) {
    if (op.kept) fs.readKept(op.rel, true);
    else fs.readOnce(op.rel, true);
  }
  return cpuMsSince(start);
}

export async function runCgroupsBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  console.log(`cgroups (collector read per tick, generated v2 trees; medians of ${TICKS} ticks after ${WARMUP})`);
  for (const [count, budget] of [
    [200, 3],
    [1000, 15],
  ]) {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-bench-cgroups-'));
    try {
      const cgroups = generateCgroupTree(root, count);
      for (const share of BUSY_SHARES) {
        const figures = await measure(root, cgroups, share);
        console.log(
          `  ${count} cgroups (${figures.read} read), ${share * 100} % busy: ${figures.ms.toFixed(2)} ms CPU per tick ` +
            `(budget ≤ ${budget}), ${figures.files} files; their bare reads ${figures.floor.toFixed(2)} ms`,
        );
        out[`cgroups_tick_cpu_ms_${count}_busy${share * 100}`] = round(figures.ms);
        out[`cgroups_floor_cpu_ms_${count}_busy${share * 100}`] = round(figures.floor);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return out;
}
