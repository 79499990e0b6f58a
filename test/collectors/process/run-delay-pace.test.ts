import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessCollector, type ProcessesSample } from '../../../collectors/process/collector.js';
import { ProcFs, SourceLog } from '../../../collectors/procfs.js';
import { basic } from './fixtures.js';

// Process 1 of the basic fixture sleeps (S); process 200 is runnable (R).
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

const setDelay = (root: string, pid: number, ns: number) =>
  writeFileSync(join(root, `proc/${pid}/schedstat`), `1000 ${ns} 5\n`);

/** Adds CPU ticks to a process (utime, stat field 14), as one that ran would show. */
function burnCpu(root: string, pid: number, ticks: number): void {
  const rel = join(root, `proc/${pid}/stat`);
  const text = readFileSync(rel, 'latin1');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  fields[11] = String(Number(fields[11]) + ticks);
  writeFileSync(rel, `${text.slice(0, close + 2)}${fields.join(' ')}`);
}

function ticker(fs: ReadLog, everyTicks: number) {
  const collector = createProcessCollector({ idleRunDelayEveryTicks: everyTicks });
  return (pid: number) => {
    fs.reads.length = 0;
    const sample = collector.read(new SourceLog(fs)) as ProcessesSample;
    const p = [...sample.processes.values()].find((s) => s.pid === pid);
    return { delay: Number(p?.runDelayNs), read: fs.reads.includes(`proc/${pid}/schedstat`) };
  };
}

describe('run delay of processes that neither ran nor waited', () => {
  it('is read late, on the process’s turn, and then counted in full', () => {
    const root = tree();
    const tick = ticker(new ReadLog(root), 4);
    const first = tick(1);
    expect(first.read).toBe(true);
    setDelay(root, 1, 9043720 + 500);
    // ticks 2, 3, 4, 5: pid 1 is due when (tick + 1) % 4 is 0, on tick 3
    const later = [tick(1), tick(1), tick(1), tick(1)];
    expect(later.map((t) => t.read)).toEqual([false, true, false, false]);
    expect(later.map((t) => t.delay - first.delay)).toEqual([0, 500, 500, 500]);
  });

  it('is read on every tick the process ran, and on every tick it is runnable', () => {
    const root = tree();
    const fs = new ReadLog(root);
    const tick = ticker(fs, 1000);
    tick(1);
    burnCpu(root, 1, 3);
    setDelay(root, 1, 9043720 + 700);
    expect(tick(1)).toMatchObject({ read: true, delay: 9043720 + 700 });
    expect(fs.reads).toContain('proc/200/schedstat'); // R
    expect(tick(1).read).toBe(false);
  });

  it('is read on every tick when the pace is 1', () => {
    const root = tree();
    const tick = ticker(new ReadLog(root), 1);
    tick(1);
    setDelay(root, 1, 9043720 + 40);
    expect(tick(1)).toEqual({ read: true, delay: 9043720 + 40 });
  });
});
