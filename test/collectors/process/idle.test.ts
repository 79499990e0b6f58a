import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessCollector, type ProcessesSample } from '../../../collectors/process/collector.js';
import { ProcFs, SourceLog } from '../../../collectors/procfs.js';
import { basic } from './fixtures.js';

// Process 1 of the basic fixture sleeps (S), with one thread; process 200 is runnable (R).
const scratch: string[] = [];

afterEach(() => {
  for (const root of scratch.splice(0)) rmSync(root, { recursive: true, force: true });
});

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'usewatch-pace-'));
  scratch.push(root);
  cpSync(basic, root, { recursive: true });
  return root;
}

class ReadLog extends ProcFs {
  readonly reads: string[] = [];
  override readKept(rel: string, oneRead?: boolean) {
    this.reads.push(rel);
    return super.readKept(rel, oneRead);
  }
  override readOnce(rel: string, oneRead?: boolean) {
    this.reads.push(rel);
    return super.readOnce(rel, oneRead);
  }
}

const setDelay = (root: string, pid: number, ns: number) => {
  const rel = join(root, `proc/${pid}/schedstat`);
  const runNs = readFileSync(rel, 'latin1').split(' ')[0];
  writeFileSync(rel, `${runNs} ${ns} 5\n`);
};

/** Sets fields of a process's stat, by field number (proc(5)); 14 is utime, 20 num_threads, 24 rss. */
function setStat(root: string, pid: number, fields: Record<number, number>): void {
  const rel = join(root, `proc/${pid}/stat`);
  const text = readFileSync(rel, 'latin1');
  const close = text.lastIndexOf(')');
  const after = text.slice(close + 2).split(' '); // field 3 first
  for (const [field, value] of Object.entries(fields)) after[Number(field) - 3] = String(value);
  writeFileSync(rel, `${text.slice(0, close + 2)}${after.join(' ')}`);
}

/** A process runs: its CPU time in schedstat, and (by `ticks`) its utime, move on. */
function run(root: string, pid: number, ticks: number): void {
  const sched = join(root, `proc/${pid}/schedstat`);
  const [runNs, delay] = readFileSync(sched, 'latin1').split(' ');
  writeFileSync(sched, `${Number(runNs) + ticks * 10_000_000 + 1} ${delay} 5\n`);
  const stat = readFileSync(join(root, `proc/${pid}/stat`), 'latin1');
  const utime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[14 - 3]);
  setStat(root, pid, { 14: utime + ticks });
}

function ticker(fs: ReadLog, everyTicks: number) {
  const collector = createProcessCollector({ idleEveryTicks: everyTicks });
  return (pid: number) => {
    fs.reads.length = 0;
    const sample = collector.read(new SourceLog(fs)) as ProcessesSample;
    const p = [...sample.processes.values()].find((s) => s.pid === pid);
    return {
      delay: Number(p?.runDelayNs),
      rss: p?.rssPages,
      utime: p?.utime,
      read: fs.reads.includes(`proc/${pid}/schedstat`),
      statRead: fs.reads.includes(`proc/${pid}/stat`),
    };
  };
}

describe('run delay of a multi-threaded process that neither ran nor waited', () => {
  it('is read late, on the process’s turn, and then counted in full', () => {
    const root = tree();
    setStat(root, 1, { 20: 2 });
    const tick = ticker(new ReadLog(root), 4);
    const first = tick(1);
    expect(first.read).toBe(true);
    setDelay(root, 1, 9043720 + 500);
    // ticks 2, 3, 4, 5: pid 1 is due when (tick + 1) % 4 is 0, on tick 3
    const later = [tick(1), tick(1), tick(1), tick(1)];
    expect(later.map((t) => t.read)).toEqual([false, true, false, false]);
    expect(later.map((t) => t.delay - first.delay)).toEqual([0, 500, 500, 500]);
    expect(later.every((t) => t.statRead)).toBe(true);
  });

  it('is read on every tick the process ran, and on every tick it is runnable', () => {
    const root = tree();
    setStat(root, 1, { 20: 2 });
    const fs = new ReadLog(root);
    const tick = ticker(fs, 1000);
    tick(1);
    run(root, 1, 3);
    setDelay(root, 1, 9043720 + 700);
    expect(tick(1)).toMatchObject({ read: true, delay: 9043720 + 700 });
    expect(fs.reads).toContain('proc/200/schedstat'); // R
    expect(tick(1).read).toBe(false);
  });
});

describe('a single-threaded process that did not run', () => {
  it('has its run delay read on every tick, and its stat carried from the tick before', () => {
    const root = tree();
    const tick = ticker(new ReadLog(root), 1000);
    const first = tick(1);
    setDelay(root, 1, 9043720 + 40);
    // what changes in a sleeping process's stat (its RSS, as memory is reclaimed) waits for a stat read
    setStat(root, 1, { 24: 2000 });
    const second = tick(1);
    expect(second).toMatchObject({ read: true, statRead: false, delay: 9043720 + 40, rss: first.rss });
  });

  it('has its stat read on every tick it ran, and on its turn', () => {
    const root = tree();
    const tick = ticker(new ReadLog(root), 4);
    const first = tick(1);
    run(root, 1, 2);
    expect(tick(1)).toMatchObject({ statRead: true, utime: (first.utime ?? 0) + 2 }); // tick 2
    setStat(root, 1, { 24: 2000 });
    expect(tick(1)).toMatchObject({ statRead: true, rss: 2000 }); // tick 3: (3 + 1) % 4 is 0
    expect(tick(1).statRead).toBe(false);
  });

  it('is read in full on every tick when the pace is 1', () => {
    const root = tree();
    const tick = ticker(new ReadLog(root), 1);
    tick(1);
    setDelay(root, 1, 9043720 + 40);
    expect(tick(1)).toMatchObject({ read: true, statRead: true, delay: 9043720 + 40 });
  });
});

describe('the round robin over processes that do not run', () => {
  it('reads the details of a process once, and again only after it ran', () => {
    const root = tree();
    const fs = new ReadLog(root);
    const collector = createProcessCollector({ perMeasure: 0, roundRobin: 100 });
    const detailReads = () => {
      fs.reads.length = 0;
      collector.read(new SourceLog(fs));
      return fs.reads.filter((r) => r.startsWith('proc/1/') && (r.endsWith('/io') || r.endsWith('/status')));
    };
    expect(detailReads()).toEqual(['proc/1/status', 'proc/1/io']);
    expect(detailReads()).toEqual([]);
    expect(detailReads()).toEqual([]);
    run(root, 1, 1);
    expect(detailReads()).toContain('proc/1/io');
  });
});
