import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessCollector, type ProcessesSample } from '../../../collectors/process/collector.js';
import { ProcFs, SourceLog } from '../../../collectors/procfs.js';
import { readOnce } from '../parser-fuzz.js';
import { basic } from './fixtures.js';

const file = (root: string, rel: string) => readFileSync(join(root, rel), 'latin1');

/**
 * A process changes its own stat (an exec, a kworker's rename) only by running, which the kernel
 * counts in its schedstat; a process that did not run has its stat carried between ticks.
 */
function ran(root: string, pid: number | undefined): void {
  const rel = join(root, `proc/${pid}/schedstat`);
  const [runNs, ...rest] = readFileSync(rel, 'latin1').split(' ');
  writeFileSync(rel, [String(Number(runNs) + 1000), ...rest].join(' '));
}

/** A ProcFs that fails chosen files with an errno, as the kernel would (EACCES on io, ESRCH on exit). */
class FaultyProcFs extends ProcFs {
  constructor(
    root: string,
    private readonly faults: Record<string, string>,
  ) {
    super(root);
  }

  override readOnce(rel: string, oneRead?: boolean) {
    return this.fault(rel) ?? super.readOnce(rel, oneRead);
  }

  override readKept(rel: string, oneRead?: boolean) {
    return this.fault(rel) ?? super.readKept(rel, oneRead);
  }

  private fault(rel: string) {
    const code = this.faults[rel];
    if (code === undefined) return undefined;
    const status = code === 'EACCES' ? ('denied' as const) : code === 'EIO' ? ('failed' as const) : ('absent' as const);
    return { ok: false as const, status, reason: code };
  }
}

/** A ProcFs that lists every file it is asked to read, kept or once. */
class ReadLog extends ProcFs {
  readonly reads: string[] = [];

  override readOnce(rel: string, oneRead?: boolean) {
    this.reads.push(rel);
    return super.readOnce(rel, oneRead);
  }

  override readKept(rel: string, oneRead?: boolean) {
    this.reads.push(rel);
    return super.readKept(rel, oneRead);
  }
}

function readWith(fs: ProcFs, collector = createProcessCollector()) {
  const log = new SourceLog(fs);
  const sample = collector.read(log) as ProcessesSample | undefined;
  return { sample, reports: log.reports };
}

const byPid = (sample: ProcessesSample | undefined, pid: number) =>
  [...(sample?.processes.values() ?? [])].find((p) => p.pid === pid);

describe('process collector', () => {
  it('lists every process once, keyed by pid and start time', () => {
    const { sample, reports } = readWith(new ProcFs(basic));
    expect([...(sample?.processes.keys() ?? [])].sort()).toEqual(
      ['1:1001', '2:1002', '100:1100', '200:1200', '300:1300', '500:1500', '600:1600', '700:1700'].sort(),
    );
    // pid 400 was listed but had exited: silently left out
    expect(reports).toEqual([{ source: 'proc/[pid]', status: 'ok', reason: '8 processes, 8 read in detail' }]);
  });

  it('reads details: user names, cmdline decoded as UTF-8, fds against the limit, kernel threads without cmdline', () => {
    const { sample } = readWith(new ProcFs(basic));
    expect(byPid(sample, 1)).toMatchObject({ user: 'root', cmd: '/sbin/init splash', runDelayNs: 9043720 });
    expect(byPid(sample, 2)).toMatchObject({ kthread: true, cmd: '' });
    expect(byPid(sample, 700)).toMatchObject({
      comm: 'café',
      cmd: '/usr/bin/café --naïve',
      user: '4242',
      fds: 3,
      fdLimit: 4096,
    });
    expect(byPid(sample, 500)?.io).toMatchObject({ readBytes: 2 ** 30 });
  });

  it('counts io denied (EACCES) per tick in one report instead of failing or reporting each pid', () => {
    const fs = new FaultyProcFs(basic, { 'proc/1/io': 'EACCES', 'proc/2/io': 'EACCES' });
    const { sample, reports } = readWith(fs);
    expect(byPid(sample, 1)?.io).toBeUndefined();
    expect(byPid(sample, 1)?.user).toBe('root');
    expect(reports).toEqual([
      { source: 'proc/[pid]', status: 'ok', reason: '8 processes, 8 read in detail; io denied for 2' },
    ]);
  });

  it('reports io as denied when no process io can be read at all (not root)', () => {
    const faults = Object.fromEntries([1, 2, 100, 200, 300, 500, 600, 700].map((p) => [`proc/${p}/io`, 'EACCES']));
    const { reports } = readWith(new FaultyProcFs(basic, faults));
    expect(reports).toContainEqual(expect.objectContaining({ source: 'proc/[pid]/io', status: 'denied' }));
  });

  it('treats a process vanishing between readdir and read (ESRCH, ENOENT) as normal', () => {
    const fs = new FaultyProcFs(basic, { 'proc/200/stat': 'ESRCH', 'proc/500/status': 'ENOENT' });
    const { sample, reports } = readWith(fs);
    expect(byPid(sample, 200)).toBeUndefined();
    expect(byPid(sample, 500)?.state).toBe('D');
    expect(reports.map((r) => r.status)).toEqual(['ok']);
  });

  it('reports an unreadable stat (EIO) as failed, naming the file', () => {
    const { reports } = readWith(new FaultyProcFs(basic, { 'proc/200/stat': 'EIO' }));
    expect(reports).toContainEqual({
      source: 'proc/[pid]/stat',
      status: 'failed',
      reason: '1 unreadable, first: proc/200/stat: EIO',
    });
  });

  it('gives a reused pid a new key and reads its cmdline afresh', () => {
    const root = scratchCopy();
    const collector = createProcessCollector();
    const fs = new ProcFs(root);
    readWith(fs, collector);
    writeFileSync(join(root, 'proc/200/stat'), file(basic, 'proc/200/stat').replace(' 1200 ', ' 9999 '));
    writeFileSync(join(root, 'proc/200/cmdline'), 'new\0program\0');
    const { sample } = readWith(fs, collector);
    expect(byPid(sample, 200)).toMatchObject({ key: '200:9999', cmd: 'new program' });
    expect(sample?.processes.has('200:1200')).toBe(false);
  });

  it('reads the costly files only for candidates, and reaches every process through the round robin', () => {
    const fs = new ReadLog(basic);
    const reads = fs.reads;
    // every stat on every tick, idle processes included
    const collector = createProcessCollector({ perMeasure: 1, roundRobin: 1, idleEveryTicks: 1 });
    const seen = new Set<string>();
    for (let tick = 0; tick < 8; tick++) {
      reads.length = 0;
      readWith(fs, collector);
      // 9 listed directories, one of them without files (exited)
      expect(reads.filter((r) => r.endsWith('/stat')).length).toBe(9);
      const detailed = reads.filter((r) => r.endsWith('/io'));
      expect(detailed.length).toBeLessThan(8);
      for (const r of detailed) seen.add(r);
    }
    expect(seen.size).toBe(8);
  });

  it('reads status when a process is first detailed, after 1, 2, 4… ticks up to statusEveryTicks, and after an exec', () => {
    const root = scratchCopy();
    const collector = createProcessCollector({ statusEveryTicks: 4 });
    const fs = new ReadLog(root);
    const reads = fs.reads;
    const readTicks: number[] = [];
    for (let tick = 1; tick <= 12; tick++) {
      reads.length = 0;
      const { sample } = readWith(fs, collector);
      if (reads.includes('proc/200/status')) readTicks.push(tick);
      // the owner is carried between status reads
      expect(byPid(sample, 200)?.uid).toBe(1000);
    }
    expect(readTicks).toEqual([1, 3, 7, 11]);

    writeFileSync(join(root, 'proc/200/stat'), file(basic, 'proc/200/stat').replace(/\([^)]*\)/, '(exec-ed)'));
    const afterExec: number[] = [];
    for (let tick = 13; tick <= 16; tick++) {
      reads.length = 0;
      readWith(fs, collector);
      if (reads.includes('proc/200/status')) afterExec.push(tick);
    }
    expect(afterExec).toEqual([13, 14, 16]);
  });

  it('does not take a kernel thread renaming itself for an exec', () => {
    const root = scratchCopy();
    const collector = createProcessCollector({ statusEveryTicks: 30 });
    const fs = new ReadLog(root);
    const reads = fs.reads;
    const { sample } = readWith(fs, collector);
    const kthread = [...(sample?.processes.values() ?? [])].find((p) => p.kthread);
    expect(kthread).toBeDefined();
    const rel = `proc/${kthread?.pid}/stat`;
    // status is due at ticks 1, 3, 7…: the rename comes at tick 5
    for (let tick = 2; tick <= 4; tick++) readWith(fs, collector);
    reads.length = 0;
    writeFileSync(join(root, rel), file(basic, rel).replace(/\([^)]*\)/, '(kworker/0:1-events)'));
    ran(root, kthread?.pid);
    const { sample: renamed } = readWith(fs, collector);
    expect(byPid(renamed, kthread?.pid ?? -1)?.comm).toBe('kworker/0:1-events');
    expect(reads).not.toContain(`proc/${kthread?.pid}/status`);
  });

  describe('descriptors kept open', () => {
    const ownFds = () => readdirSync('/proc/self/fd').length;
    // processes of the basic fixture with a stat file, and the kept files each of them has
    const keptPerProcess = (root: string) =>
      readdirSync(join(root, 'proc'))
        .filter((n) => /^\d+$/.test(n) && existsSync(join(root, 'proc', n, 'stat')))
        .map((n) => ['stat', 'schedstat', 'io'].filter((f) => existsSync(join(root, 'proc', n, f))).length);

    it('keeps stat, schedstat and io open between ticks and closes them when the process is gone', () => {
      const root = scratchCopy();
      const fs = new ProcFs(root);
      const collector = createProcessCollector();
      const before = ownFds();
      readWith(fs, collector);
      const kept = keptPerProcess(root).reduce((a, b) => a + b, 0);
      expect(ownFds()).toBe(before + kept);
      readWith(fs, collector);
      expect(ownFds()).toBe(before + kept);
      const of200 = ['stat', 'schedstat', 'io'].filter((f) => existsSync(join(root, 'proc/200', f))).length;
      expect(of200).toBeGreaterThan(0);
      rmSync(join(root, 'proc/200'), { recursive: true });
      readWith(fs, collector);
      expect(ownFds()).toBe(before + kept - of200);
      fs.close();
      expect(ownFds()).toBe(before);
    });

    it('keeps the files of at most keepOpen processes, and reads the others all the same', () => {
      const root = scratchCopy();
      const fs = new ProcFs(root);
      const before = ownFds();
      const { sample } = readWith(fs, createProcessCollector({ keepOpen: 2 }));
      expect(ownFds() - before).toBeLessThanOrEqual(2 * 3);
      expect(ownFds() - before).toBeGreaterThan(0);
      expect(sample?.processes.size).toBe(keptPerProcess(root).length);
      fs.close();
    });

    it('gives the kept files at most a quarter of the soft open-file limit', () => {
      const root = scratchCopy();
      mkdirSync(join(root, 'proc/self'), { recursive: true });
      writeFileSync(
        join(root, 'proc/self/limits'),
        'Limit                     Soft Limit           Hard Limit           Units     \n' +
          'Max open files            12                   4096                 files     \n',
      );
      const fs = new ProcFs(root);
      const before = ownFds();
      readWith(fs, createProcessCollector());
      // 12 / 4 = 3 descriptors: one process's stat, schedstat and io
      expect(ownFds() - before).toBeLessThanOrEqual(3);
      fs.close();
    });

    it('closes a kept stat whose content did not parse once its process is gone', () => {
      const root = scratchCopy();
      const fs = new ProcFs(root);
      const collector = createProcessCollector();
      const before = ownFds();
      writeFileSync(join(root, 'proc/200/stat'), 'garbage');
      const { reports } = readWith(fs, collector);
      expect(reports.some((r) => r.source === 'proc/[pid]/stat' && r.status === 'failed')).toBe(true);
      const withBroken = ownFds();
      rmSync(join(root, 'proc/200'), { recursive: true });
      readWith(fs, collector);
      expect(ownFds()).toBe(withBroken - 1);
      fs.close();
      expect(ownFds()).toBe(before);
    });

    it('lets every kept descriptor go when proc cannot be listed', () => {
      const root = scratchCopy();
      const fs = new ProcFs(root);
      const collector = createProcessCollector();
      const before = ownFds();
      readWith(fs, collector);
      expect(ownFds()).toBeGreaterThan(before);
      class Unlistable extends ProcFs {
        override listDir(rel: string) {
          return rel === 'proc'
            ? { ok: false as const, status: 'failed' as const, reason: 'EMFILE' }
            : super.listDir(rel);
        }
      }
      const failing = Object.setPrototypeOf(fs, Unlistable.prototype) as ProcFs;
      const { sample, reports } = readWith(failing, collector);
      expect(sample).toBeUndefined();
      expect(reports).toContainEqual({ source: 'proc', status: 'failed', reason: 'EMFILE' });
      expect(ownFds()).toBe(before);
    });
  });

  it('counts no descriptors for kernel threads, without listing their fd directory', () => {
    const listed: string[] = [];
    class Counting extends ProcFs {
      override countFds(rel: string) {
        listed.push(rel);
        return super.countFds(rel);
      }
    }
    const { sample } = readWith(new Counting(basic));
    const kthreads = [...(sample?.processes.values() ?? [])].filter((p) => p.kthread);
    expect(kthreads.length).toBeGreaterThan(0);
    for (const k of kthreads) {
      expect(k.fds).toBe(0);
      expect(listed).not.toContain(`proc/${k.pid}/fd`);
    }
  });

  it('turns a corrupted stat into a failed report, never an exception', async () => {
    const root = scratchCopy();
    const real = file(basic, 'proc/200/stat');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: real.length }), fc.string({ unit: 'binary' }), async (cut, junk) => {
        writeFileSync(join(root, 'proc/200/stat'), real.slice(0, cut) + junk, 'latin1');
        const { reports } = await readOnce(createProcessCollector(), root);
        const failed = reports.find((r) => r.source === 'proc/[pid]/stat');
        expect(
          failed === undefined || (failed.status === 'failed' && /proc\/200\/stat/.test(failed.reason ?? '')),
        ).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  describe('workload cgroup', () => {
    const DOCKER = '/docker/3f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a21';
    const cgroupReads = (reads: string[]) => reads.filter((r) => r.endsWith('/cgroup')).sort();

    it('reads /proc/<pid>/cgroup once per process, never for kernel threads, and keeps the workload id', () => {
      const fs = new ReadLog(basic);
      const collector = createProcessCollector();
      const { sample, reports } = readWith(fs, collector);
      expect(byPid(sample, 1)?.cgroup).toBe('/init.scope');
      expect(byPid(sample, 100)?.cgroup).toBe('/user.slice/user-1000.slice/user@1000.service/init.scope');
      // hybrid: the container of the v1 hierarchies, not the shim's service of the unified one
      expect(byPid(sample, 200)?.cgroup).toBe(DOCKER);
      expect(byPid(sample, 300)?.cgroup).toBeUndefined(); // a slice is no workload
      expect(byPid(sample, 700)?.cgroup).toBeUndefined(); // no cgroup file: nothing to report
      expect(cgroupReads(fs.reads)).not.toContain('proc/2/cgroup');
      expect(reports).toEqual([{ source: 'proc/[pid]', status: 'ok', reason: '8 processes, 8 read in detail' }]);
      for (let tick = 0; tick < 3; tick++) {
        fs.reads.length = 0;
        const later = readWith(fs, collector).sample;
        expect(cgroupReads(fs.reads)).toEqual([]);
        expect(byPid(later, 200)?.cgroup).toBe(DOCKER);
      }
    });

    it('reads it again for a reused pid and after an exec', () => {
      const root = scratchCopy();
      const fs = new ReadLog(root);
      const collector = createProcessCollector();
      readWith(fs, collector);
      writeFileSync(join(root, 'proc/200/stat'), file(basic, 'proc/200/stat').replace(' 1200 ', ' 9999 '));
      writeFileSync(join(root, 'proc/200/cgroup'), '0::/system.slice/cron.service\n');
      fs.reads.length = 0;
      expect(byPid(readWith(fs, collector).sample, 200)?.cgroup).toBe('/system.slice/cron.service');
      expect(cgroupReads(fs.reads)).toEqual(['proc/200/cgroup']);

      writeFileSync(join(root, 'proc/1/stat'), file(basic, 'proc/1/stat').replace(/\([^)]*\)/, '(sshd)'));
      ran(root, 1);
      writeFileSync(join(root, 'proc/1/cgroup'), '0::/user.slice/user-1000.slice/session-4.scope\n');
      fs.reads.length = 0;
      expect(byPid(readWith(fs, collector).sample, 1)?.cgroup).toBe('/user.slice/user-1000.slice/session-4.scope');
      expect(cgroupReads(fs.reads)).toEqual(['proc/1/cgroup']);
    });

    it('reports a damaged cgroup file as failed, naming it, and leaves the process without one', () => {
      const root = scratchCopy();
      writeFileSync(join(root, 'proc/500/cgroup'), 'no colons here\n');
      const { sample, reports } = readWith(new ProcFs(root));
      expect(byPid(sample, 500)?.cgroup).toBeUndefined();
      expect(reports).toContainEqual({
        source: 'proc/[pid]/cgroup',
        status: 'failed',
        reason: '1 unreadable, first: proc/500/cgroup: line 1: expected "id:controllers:path"',
      });
    });
  });

  it('reports a root without proc as absent', () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-noproc-'));
    scratch.push(root);
    const { sample, reports } = readWith(new ProcFs(root));
    expect(sample).toBeUndefined();
    expect(reports).toEqual([{ source: 'proc', status: 'absent', reason: 'ENOENT' }]);
  });
});

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratchCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'usewatch-procs-'));
  cpSync(basic, root, { recursive: true });
  scratch.push(root);
  return root;
}
