import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessCollector, type ProcessesSample } from '../../../collectors/process/collector.js';
import { THREAD_KEPT_IDLE_TICKS } from '../../../collectors/process/run-delay.js';
import { ProcFs, SourceLog } from '../../../collectors/procfs.js';
import { createProcessDeriver } from '../../../src/derive/processes.js';
import { MetricSink } from '../../../src/derive/types.js';
import { basic } from './fixtures.js';

// Process 200 of the basic fixture has 4 threads (stat field 20); the tree has no proc/schedstat.
const TIDS = ['200', '201', '202', '203'];
const scratch: string[] = [];

afterEach(() => {
  for (const root of scratch.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** The basic tree with a task directory for process 200, whose threads waited `delays` ns so far. */
function treeWithThreads(delays: number[]): string {
  const root = mkdtempSync(join(tmpdir(), 'usewatch-threads-'));
  scratch.push(root);
  cpSync(basic, root, { recursive: true });
  setThreadDelays(root, delays);
  return root;
}

function setThreadDelays(root: string, delays: number[]): void {
  TIDS.forEach((tid, i) => {
    const dir = join(root, 'proc/200/task', tid);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'schedstat'), `1000 ${delays[i]} 5\n`);
  });
  // the leader's own file is its thread's
  writeFileSync(join(root, 'proc/200/schedstat'), `1000 ${delays[0]} 5\n`);
}

/** Adds CPU ticks to process 200 (utime, stat field 14), as a busy process would show. */
function burnCpu(root: string, ticks: number): void {
  const rel = join(root, 'proc/200/stat');
  const text = readFileSync(rel, 'latin1');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  fields[11] = String(Number(fields[11]) + ticks); // field 14 is the 12th after comm
  writeFileSync(rel, `${text.slice(0, close + 2)}${fields.join(' ')}`);
}

/** Sets num_threads (stat field 20) of process 200. */
function setThreadCount(root: string, n: number): void {
  const rel = join(root, 'proc/200/stat');
  const text = readFileSync(rel, 'latin1');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  fields[17] = String(n); // field 20 is the 18th after comm
  writeFileSync(rel, `${text.slice(0, close + 2)}${fields.join(' ')}`);
}

class CountingProcFs extends ProcFs {
  readonly reads: string[] = [];
  /** Reads through a descriptor kept open between ticks, and the kept files closed. */
  readonly keptReads: string[] = [];
  readonly released: string[] = [];
  constructor(
    root: string,
    private readonly vanished: string[] = [],
  ) {
    super(root);
  }

  override readOnce(rel: string, oneRead?: boolean) {
    this.reads.push(rel);
    if (this.vanished.includes(rel)) return { ok: false as const, status: 'absent' as const, reason: 'ESRCH' };
    return super.readOnce(rel, oneRead);
  }

  override readKept(rel: string, oneRead?: boolean) {
    this.reads.push(rel);
    this.keptReads.push(rel);
    if (this.vanished.includes(rel)) return { ok: false as const, status: 'absent' as const, reason: 'ESRCH' };
    return super.readKept(rel, oneRead);
  }

  override release(rel: string): void {
    this.released.push(rel);
    super.release(rel);
  }
}

/** Counts the listings of task/ directories too. */
class ListingProcFs extends CountingProcFs {
  readonly listings: string[] = [];
  override listDir(rel: string) {
    if (rel.endsWith('/task')) this.listings.push(rel);
    return super.listDir(rel);
  }
}

function tick(fs: ProcFs, collector: ReturnType<typeof createProcessCollector>) {
  const log = new SourceLog(fs);
  const sample = collector.read(log) as ProcessesSample;
  return { delay: Number(sample.processes.get('200:1200')?.runDelayNs), reports: log.reports };
}

describe('run delay of every thread where the host has no /proc/schedstat', () => {
  it('sums the increase of all threads of a busy process, not only its leader', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    const first = tick(fs, collector).delay;
    setThreadDelays(root, [110, 1200, 2300, 3400]);
    burnCpu(root, 50);
    const second = tick(fs, collector);
    // 10 + 1000 + 2000 + 3000 ns; the leader alone would give 10
    expect(second.delay - first).toBe(6010);
    expect(second.reports.filter((r) => r.status === 'failed')).toEqual([]);
    expect(fs.reads).toContain('proc/200/task/203/schedstat');
  });

  it('gives the host fallback and the process ranking the all-threads figure', () => {
    const root = treeWithThreads([0, 0, 0, 0]);
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    const read = () => collector.read(new SourceLog(fs)) as ProcessesSample;
    const before = read();
    // three threads each waited the whole 2 s interval, the leader not at all
    setThreadDelays(root, [0, 2e9, 2e9, 2e9]);
    burnCpu(root, 50);
    const after = read();
    const out = new MetricSink();
    const entries = createProcessDeriver().derive(before, after, {
      dtSeconds: 2,
      out,
      config: { linkSpeedsBps: {}, topN: 5 },
    });
    expect(out.get('cpu.run_delay')).toBeCloseTo(3, 6);
    expect(entries.find((e) => e.pid === 200)?.runDelay).toBeCloseTo(3, 6);
  });

  it('leaves out a thread that exits between the listing and its read, without a failure', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root, ['proc/200/task/202/schedstat']);
    const collector = createProcessCollector();
    const first = tick(fs, collector).delay;
    setThreadDelays(root, [110, 1200, 2300, 3400]);
    burnCpu(root, 50);
    const second = tick(fs, collector);
    expect(second.delay - first).toBe(10 + 1000 + 3000);
    expect(second.reports.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it('counts a process by its leader when its threads exceed the reads left in the tick', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root);
    // three threads besides the leader, whose own file is proc/200/schedstat, read anyway
    const collector = createProcessCollector({ threadReadsPerTick: 2 });
    const first = tick(fs, collector).delay;
    setThreadDelays(root, [110, 1200, 2300, 3400]);
    burnCpu(root, 50);
    expect(tick(fs, collector).delay - first).toBe(10);
    expect(fs.reads.filter((r) => r.includes('/task/'))).toEqual([]);
  });

  it('stops reading the threads of a process that neither ran nor waited', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    tick(fs, collector);
    tick(fs, collector);
    fs.reads.length = 0;
    tick(fs, collector);
    expect(fs.reads.filter((r) => r.includes('/task/'))).toEqual([]);
  });

  it('reads no thread where the host has /proc/schedstat, which counts every task itself', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    writeFileSync(join(root, 'proc/schedstat'), 'version 15\ntimestamp 1\ncpu0 0 0 0 0 0 0 1 2 3\n');
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    const first = tick(fs, collector).delay;
    setThreadDelays(root, [110, 1200, 2300, 3400]);
    burnCpu(root, 50);
    expect(tick(fs, collector).delay - first).toBe(10);
    expect(fs.reads.filter((r) => r.includes('/task/'))).toEqual([]);
  });

  it('keeps the thread files of a busy process open between ticks and closes them once it stays idle', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    // the leader's thread is proc/200/schedstat, read for the process itself
    const threadFiles = TIDS.slice(1).map((tid) => `proc/200/task/${tid}/schedstat`);
    tick(fs, collector);
    burnCpu(root, 50);
    tick(fs, collector);
    expect(fs.keptReads.filter((r) => r.includes('/task/'))).toEqual([...threadFiles, ...threadFiles]);
    expect(fs.released).toEqual([]);
    // neither ran nor waited: its threads are not read, and their descriptors are let go after
    // THREAD_KEPT_IDLE_TICKS ticks unread
    for (let i = 1; i < THREAD_KEPT_IDLE_TICKS; i++) tick(fs, collector);
    expect(fs.released).toEqual([]);
    tick(fs, collector);
    expect(fs.released.sort()).toEqual(threadFiles);
  });

  it('reads a thread that neither ran nor waited every 10th tick, and counts what it waited then, in full', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    const first = tick(fs, collector).delay; // tick 1: the baseline
    burnCpu(root, 50);
    tick(fs, collector); // tick 2: no thread moved since tick 1, so all three are quiet
    setThreadDelays(root, [100, 700, 300, 400]);
    const delays: number[] = [];
    const threadReads: string[][] = [];
    for (let t = 3; t <= 9; t++) {
      burnCpu(root, 50);
      fs.reads.length = 0;
      delays.push(tick(fs, collector).delay - first);
      threadReads.push(fs.reads.filter((r) => r.includes('/task/')));
    }
    // quiet threads are read on the ticks their tid sets: 203 on tick 7, 202 on 8, 201 on 9
    expect(threadReads).toEqual([
      [],
      [],
      [],
      [],
      ['proc/200/task/203/schedstat'],
      ['proc/200/task/202/schedstat'],
      ['proc/200/task/201/schedstat'],
    ]);
    // 201 waited 500 ns after tick 2: late, counted in full on tick 9
    expect(delays).toEqual([0, 0, 0, 0, 0, 0, 500]);
  });

  it('counts the waits of a process idle for a few ticks on its next busy tick, not those of one idle for longer', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    /** The threads' files as CPU time and run delay of the other threads (the leader's stays). */
    const threads = (run: number, d201: number) => {
      TIDS.slice(1).forEach((tid, i) => {
        writeFileSync(join(root, 'proc/200/task', tid, 'schedstat'), `${run} ${i === 0 ? d201 : 300 + i} 5\n`);
      });
    };
    const counter = () => tick(fs, collector).delay;
    threads(1000, 200);
    counter(); // tick 1: the baseline
    threads(2000, 200);
    burnCpu(root, 50);
    counter(); // tick 2: the threads ran, none waited
    threads(2000, 300); // 201 waits 100 ns while the process uses less than a clock tick
    for (let t = 3; t <= 5; t++) counter();
    const beforeBusy = counter(); // tick 6: still idle, threads not read
    threads(3000, 300);
    burnCpu(root, 50);
    expect(counter() - beforeBusy).toBe(100); // tick 7: read again 5 ticks on, the wait counted late
    counter(); // tick 8: read once more (the threads waited on tick 7), nothing moved
    threads(3000, 350);
    for (let t = 9; t <= 19; t++) counter(); // idle for 11 ticks
    const beforeLong = counter(); // tick 20
    burnCpu(root, 50);
    expect(counter() - beforeLong).toBe(0); // tick 21: 13 ticks since its last read, a new baseline
  });

  it('takes a thread found after its process was idle for more than 10 ticks as a baseline, not as born then', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const fs = new CountingProcFs(root);
    const collector = createProcessCollector();
    tick(fs, collector); // tick 1: threads listed and read
    for (let t = 2; t <= 13; t++) tick(fs, collector); // idle: its threads are not read
    mkdirSync(join(root, 'proc/200/task/204'));
    writeFileSync(join(root, 'proc/200/task/204/schedstat'), '1000 5000000 5\n');
    setThreadCount(root, 5);
    const before = tick(fs, collector).delay;
    burnCpu(root, 50);
    // 204 may have started any time in the 12 ticks: its 5 ms are not counted as this tick's
    expect(tick(fs, collector).delay - before).toBe(0);
  });

  it('lists task/ again only when the thread count in stat moves or a listed thread has ended', () => {
    const root = treeWithThreads([100, 200, 300, 400]);
    const ended: string[] = [];
    const fs = new ListingProcFs(root, ended);
    const collector = createProcessCollector();
    const first = tick(fs, collector).delay;
    // the threads wait a little on every tick, so that each is read on every tick
    for (let i = 1; i <= 3; i++) {
      setThreadDelays(root, [100, 200 + i, 300 + i, 400 + i]);
      burnCpu(root, 50);
      tick(fs, collector);
    }
    expect(fs.listings).toEqual(['proc/200/task']);
    // thread 203 ends and 204 starts between two ticks: the count stays, 203's read tells
    // (a kept descriptor of an ended thread answers ESRCH; a fixture file read on after its unlink)
    rmSync(join(root, 'proc/200/task/203'), { recursive: true });
    ended.push('proc/200/task/203/schedstat');
    mkdirSync(join(root, 'proc/200/task/204'));
    writeFileSync(join(root, 'proc/200/task/204/schedstat'), '1000 7 5\n');
    burnCpu(root, 50);
    const swapped = tick(fs, collector);
    expect(fs.listings).toEqual(['proc/200/task', 'proc/200/task']);
    // 3 a tick for three ticks; then 204, born since the last read: all of its delay is new
    expect(swapped.delay - first).toBe(9 + 7);
    expect(swapped.reports.filter((r) => r.status !== 'ok')).toEqual([]);
    // a thread more in stat: listed again
    setThreadCount(root, 5);
    burnCpu(root, 50);
    tick(fs, collector);
    expect(fs.listings).toHaveLength(3);
  });
});
