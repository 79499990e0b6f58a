import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CgroupActivityHint } from '../../../collectors/cgroup/activity.js';
import { createCgroupCollector } from '../../../collectors/cgroup/collector.js';
import type { CgroupReaderOptions } from '../../../collectors/cgroup/read.js';
import type { CgroupDiscovery, CgroupsSample, WorkloadCgroup } from '../../../collectors/cgroup/sample.js';
import { ProcFs, SourceLog, statusOfError } from '../../../collectors/procfs.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'cgroup');
const HYBRID = join(fixtures, 'hybrid');
const V2 = join(fixtures, 'v2');
const LIMITED = 'usewatch-cgread-fixture';
const UNLIMITED = 'usewatch-cgread-unlimited';

/** A cgroup of the hybrid fixture: its unified (v2) directory and each v1 controller's, as discovery gives them. */
function hybridCgroup(name: string, v2 = true, v1 = true): WorkloadCgroup {
  const v1Dirs = Object.fromEntries(
    (['cpu', 'cpuacct', 'memory', 'pids', 'blkio'] as const).map((c) => [c, `sys/fs/cgroup/${c}/${name}`]),
  );
  return {
    identity: { id: `/${name}`, kind: 'scope', name },
    v2Dir: v2 ? `sys/fs/cgroup/unified/${name}` : undefined,
    v1Dirs: v1 ? v1Dirs : {},
  };
}

function v2Cgroup(unit: string): WorkloadCgroup {
  const id = `/system.slice/${unit}`;
  return { identity: { id, kind: 'service', name: unit }, v2Dir: `sys/fs/cgroup${id}`, v1Dirs: {} };
}

const discovering = (cgroups: WorkloadCgroup[]): CgroupDiscovery => ({ workloads: () => cgroups });

/** Ticks of one collector over one ProcFs, like the engine runs it, given `hint` when there is one. */
function ticker(
  fs: ProcFs,
  cgroups: WorkloadCgroup[],
  options: CgroupReaderOptions = {},
  hint?: () => CgroupActivityHint,
) {
  const collector = createCgroupCollector(discovering(cgroups), options);
  return () => {
    if (hint) collector.hint?.(hint());
    const log = new SourceLog(fs);
    const sample = collector.read(log) as CgroupsSample;
    return { sample, reports: log.reports, byId: new Map(sample.cgroups.map((r) => [r.identity.id, r])) };
  };
}

const roots: string[] = [];
const fss: ProcFs[] = [];
afterEach(() => {
  for (const fs of fss.splice(0)) fs.close();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function open<F extends ProcFs>(fs: F): F {
  fss.push(fs);
  return fs;
}

/** A scratch copy of a fixture tree, to change files in. */
function copyOf(tree: string): string {
  const root = mkdtempSync(join(tmpdir(), 'usewatch-cgroup-'));
  roots.push(root);
  cpSync(tree, root, { recursive: true });
  return root;
}

/**
 * Records what is read, and answers for a removed file as cgroupfs does: a kept descriptor of a
 * removed cgroup fails (ENODEV) and the file is gone on reopening, whereas a fixture file on disk
 * would still read through its open descriptor.
 */
class RecordingFs extends ProcFs {
  readonly keptReads: string[] = [];
  readonly onceReads: string[] = [];
  readonly released: string[] = [];
  override readKept(rel: string, oneRead = false) {
    this.keptReads.push(rel);
    if (!existsSync(this.path(rel))) return { ok: false as const, ...statusOfError({ code: 'ENOENT' }) };
    return super.readKept(rel, oneRead);
  }
  override readOnce(rel: string, oneRead = false) {
    this.onceReads.push(rel);
    return super.readOnce(rel, oneRead);
  }
  override release(rel: string): void {
    this.released.push(rel);
    super.release(rel);
  }
}

describe('reading a cgroup', () => {
  it('on a hybrid host: usage and pressure from the unified directory, the rest from the v1 controllers', () => {
    const tick = ticker(open(new ProcFs(HYBRID)), [hybridCgroup(LIMITED)]);
    const { sample, reports } = tick();
    expect(sample.cgroups).toEqual([
      {
        identity: { id: `/${LIMITED}`, kind: 'scope', name: LIMITED },
        cpuUsageUsec: 2672938,
        cpuUserUsec: 1515161,
        cpuSystemUsec: 1157776,
        nrPeriods: 53,
        nrThrottled: 8,
        throttledUsec: 172736,
        cpuQuotaUsec: 50000,
        cpuPeriodUsec: 100000,
        memoryCurrentBytes: 5283840,
        memoryMaxBytes: 67108864,
        inactiveFileBytes: 4091904,
        memoryMaxEvents: 173,
        oomKills: 2,
        ioReadBytes: 4194304,
        ioWriteBytes: 4206592,
        ioReads: 64,
        ioWrites: 68,
        pidsCurrent: 4,
        pidsMax: 64,
        pidsMaxEvents: 5,
        cpuPressure: { someUsec: 2749827, fullUsec: 2590084 },
        memoryPressure: { someUsec: 13631, fullUsec: 11912 },
        ioPressure: { someUsec: 13569, fullUsec: 13569 },
      },
    ]);
    expect(reports).toEqual([]);
  });

  it('on a v2 host: every quantity from the v2 files, "max" limits left out', () => {
    const { byId, reports } = ticker(open(new ProcFs(V2)), [v2Cgroup('nginx.service'), v2Cgroup('cron.service')])();
    expect(byId.get('/system.slice/nginx.service')).toMatchObject({
      cpuUsageUsec: 48213377,
      nrPeriods: 41230,
      nrThrottled: 12877,
      throttledUsec: 913245871,
      cpuQuotaUsec: 150000,
      cpuPeriodUsec: 100000,
      memoryCurrentBytes: 402653184,
      memoryMaxBytes: 536870912,
      memoryHighBytes: 469762048,
      inactiveFileBytes: 73400320,
      memoryHighEvents: 1843,
      memoryMaxEvents: 27,
      oomEvents: 2,
      oomKills: 1,
      ioReadBytes: 1458180096,
      ioWrites: 98306,
      pidsCurrent: 37,
      pidsMax: 512,
      pidsMaxEvents: 4,
      cpuPressure: { someUsec: 612345678, fullUsec: 580112345 },
    });
    const cron = byId.get('/system.slice/cron.service');
    expect(cron).toMatchObject({ cpuUsageUsec: 1204, memoryCurrentBytes: 2097152, ioReadBytes: 0, pidsCurrent: 1 });
    expect([cron?.cpuQuotaUsec, cron?.memoryMaxBytes, cron?.memoryHighBytes, cron?.pidsMax]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(reports).toEqual([]);
  });

  it('on a pure v1 host: cpuacct.usage for usage; no PSI, reported once and not per cgroup or tick', () => {
    const tick = ticker(open(new ProcFs(HYBRID)), [hybridCgroup(LIMITED, false), hybridCgroup(UNLIMITED, false)]);
    const first = tick();
    expect(first.byId.get(`/${LIMITED}`)).toMatchObject({ cpuUsageUsec: 1723987, nrPeriods: 53 });
    expect(first.byId.get(`/${LIMITED}`)?.cpuPressure).toBeUndefined();
    expect(first.byId.get(`/${UNLIMITED}`)).toMatchObject({ cpuUsageUsec: 200991, pidsMax: undefined });
    expect(first.reports.map((r) => [r.status, r.reason?.split(':')[0], r.reason?.includes('pressure')])).toEqual([
      ['absent', 'no v2 or v1 directory for its controller', true],
      ['absent', 'no v2 or v1 directory for its controller', true],
      ['absent', 'no v2 or v1 directory for its controller', true],
    ]);
    expect(tick().reports).toEqual([]);
  });

  it('a v2 cgroup whose controllers are off: what is missing is reported once, by the file looked for', () => {
    const tick = ticker(open(new ProcFs(HYBRID)), [
      hybridCgroup(LIMITED, true, false),
      hybridCgroup(UNLIMITED, true, false),
    ]);
    const first = tick();
    expect(first.sample.cgroups.map((r) => r.cpuUsageUsec)).toEqual([2672938, 890475]);
    expect(first.reports.map((r) => r.source)).toEqual([
      `sys/fs/cgroup/[cgroup]/${LIMITED}`, // throttling: cpu.stat has no such line and there is no v1 cpu directory
      `sys/fs/cgroup/unified/${LIMITED}/cpu.max`,
      `sys/fs/cgroup/unified/${LIMITED}/memory.current`,
      `sys/fs/cgroup/unified/${LIMITED}/memory.max`,
      `sys/fs/cgroup/unified/${LIMITED}/memory.stat`,
      `sys/fs/cgroup/unified/${LIMITED}/memory.events`,
      `sys/fs/cgroup/unified/${LIMITED}/io.stat`,
      `sys/fs/cgroup/unified/${LIMITED}/pids.current`,
      `sys/fs/cgroup/unified/${LIMITED}/pids.max`,
      `sys/fs/cgroup/unified/${LIMITED}/pids.events`,
    ]);
    expect(first.reports.every((r) => r.status === 'absent' && r.reason?.includes('reported once'))).toBe(true);
    expect(tick().reports).toEqual([]);
  });
});

describe('cadence and descriptors', () => {
  it("re-reads a busy cgroup's limits every limitsEveryMs, an idle one's six times less often", () => {
    const root = copyOf(V2);
    const dir = join(root, 'sys/fs/cgroup/system.slice/nginx.service');
    let now = 0;
    const tick = ticker(open(new ProcFs(root)), [v2Cgroup('nginx.service')], { limitsEveryMs: 10_000, now: () => now });
    const at = (ms: number, usage?: number) => {
      now = ms;
      if (usage !== undefined) writeFileSync(join(dir, 'cpu.stat'), `usage_usec ${usage}\n`); // busy
      return tick().byId.get('/system.slice/nginx.service');
    };
    expect(at(0)?.memoryMaxBytes).toBe(536870912);
    writeFileSync(join(dir, 'memory.max'), '1073741824\n');
    writeFileSync(join(dir, 'memory.current'), '4096\n');
    const second = at(1_000, 48300000);
    expect([second?.memoryCurrentBytes, second?.memoryMaxBytes]).toEqual([4096, 536870912]);
    expect(at(20_000, 48400000)?.memoryMaxBytes).toBe(1073741824);
    writeFileSync(join(dir, 'memory.max'), '2147483648\n');
    expect(at(40_000)?.memoryMaxBytes).toBe(1073741824); // idle: due at 30 s + 50 s
    expect(at(80_000)?.memoryMaxBytes).toBe(2147483648);
  });

  it('reads CPU usage every tick; the rest every tick while busy, event counts less often, all of it rarely when idle', () => {
    const root = copyOf(V2);
    const dir = join(root, 'sys/fs/cgroup/system.slice/nginx.service');
    const fs = open(new RecordingFs(root));
    const tick = ticker(fs, [v2Cgroup('nginx.service')], { idleEveryTicks: 3, slowEveryTicks: 2 });
    const filesRead = (busyUsage?: number) => {
      if (busyUsage !== undefined) writeFileSync(join(dir, 'cpu.stat'), `usage_usec ${busyUsage}\n`);
      writeFileSync(join(dir, 'memory.current'), `${4096 * fs.keptReads.length}\n`);
      const from = fs.keptReads.length;
      const reading = tick().byId.get('/system.slice/nginx.service');
      const files = fs.keptReads.slice(from).map((r) => r.slice(dir.length - root.length));
      return { files: files.sort(), memory: reading?.memoryCurrentBytes };
    };
    const everyTick = ['cpu.pressure', 'cpu.stat', 'io.pressure', 'io.stat', 'memory.current', 'memory.pressure'];
    const all = [...everyTick, 'memory.events', 'memory.stat', 'pids.current', 'pids.events'].sort();
    filesRead(); // tick 1: first sight, everything
    expect(filesRead(48300000).files).toEqual(all); // tick 2, busy: slow files due (every 2nd tick)
    expect(filesRead(48400000).files).toEqual([...everyTick, 'pids.current'].sort()); // tick 3, busy
    // tick 4, idle: the event counts of busy tick 3 are caught up with, slowEveryTicks after their last read
    const idle = filesRead();
    expect(idle.files).toEqual(['cpu.stat', 'memory.events', 'memory.stat', 'pids.events']);
    const carried = idle.memory;
    expect(filesRead()).toEqual({ files: ['cpu.stat'], memory: carried }); // tick 5, idle: memory.current carried over
    const third = filesRead(); // tick 6, idle: every 3rd tick, everything
    expect(third.files).toEqual(all);
    expect(third.memory).not.toBe(carried);
  });

  it("gives back an idle cgroup's last reading unparsed, and reads a cpu.stat that changed in full at once", () => {
    const root = copyOf(V2);
    const dir = join(root, 'sys/fs/cgroup/system.slice/nginx.service');
    const stat = readFileSync(join(dir, 'cpu.stat'), 'latin1');
    const tick = ticker(open(new ProcFs(root)), [v2Cgroup('nginx.service')], { idleEveryTicks: 100 });
    const read = () => tick().byId.get('/system.slice/nginx.service');
    read(); // first sight
    const second = read();
    const idle = read();
    expect(idle).toBe(second);
    expect(read()).toBe(second);
    // throttling moved while usage did not (a period counted at the edge): not idle, read at once
    writeFileSync(join(dir, 'cpu.stat'), stat.replace('nr_throttled 12877', 'nr_throttled 12900'));
    const moved = read();
    expect(moved).not.toBe(second);
    expect(moved).toMatchObject({ cpuUsageUsec: 48213377, nrThrottled: 12900 });
    expect(read()).toBe(moved);
  });

  it("an idle cgroup's OOM kills and refused forks are read on its idle cadence, a busy one's within slowEveryTicks", () => {
    const root = copyOf(V2);
    const dir = join(root, 'sys/fs/cgroup/system.slice/nginx.service');
    const events = readFileSync(join(dir, 'memory.events'), 'latin1');
    const tick = ticker(open(new ProcFs(root)), [v2Cgroup('nginx.service')], { idleEveryTicks: 4, slowEveryTicks: 2 });
    const read = () => tick().byId.get('/system.slice/nginx.service');
    read();
    writeFileSync(join(dir, 'memory.events'), events.replace('oom_kill 1', 'oom_kill 2'));
    writeFileSync(join(dir, 'pids.events'), 'max 9\n');
    const seen: (number | undefined)[][] = [];
    for (let t = 0; t < 4; t++) {
      const r = read();
      seen.push([Number(r?.oomKills), Number(r?.pidsMaxEvents)]);
    }
    // carried over until the idle re-read (every 4th tick), then the new counts
    expect(
      seen
        .slice(
          0,
          seen.findIndex(([oom]) => oom === 2),
        )
        .every(([oom, forks]) => oom === 1 && forks === 4),
    ).toBe(true);
    expect(seen.at(-1)).toEqual([2, 9]);
    writeFileSync(join(dir, 'memory.events'), events.replace('oom_kill 1', 'oom_kill 3'));
    const usage = (t: number) => writeFileSync(join(dir, 'cpu.stat'), `usage_usec ${48213377 + t}\n`);
    const busy: number[] = [];
    for (const t of [1, 2]) {
      usage(t);
      busy.push(Number(read()?.oomKills));
    }
    expect(busy).toContain(3);
  });

  it('reads the event counts of a cgroup busy for one tick within slowEveryTicks, not on its idle cadence', () => {
    const root = copyOf(V2);
    const dir = join(root, 'sys/fs/cgroup/system.slice/nginx.service');
    const tick = ticker(open(new ProcFs(root)), [v2Cgroup('nginx.service')], {
      idleEveryTicks: 100,
      slowEveryTicks: 5,
    });
    const forks = () => tick().byId.get('/system.slice/nginx.service')?.pidsMaxEvents;
    const usage = (usec: number) => writeFileSync(join(dir, 'cpu.stat'), `usage_usec ${usec}\n`);
    for (let t = 1; t <= 4; t++) forks();
    usage(48300000);
    forks(); // tick 5, busy: the slow files are due (slot 0)
    forks(); // tick 6, idle
    // tick 7: a fork refused, the CPU it took makes the cgroup busy for this tick only
    writeFileSync(join(dir, 'pids.events'), 'max 9\n');
    usage(48400000);
    const seen = Array.from({ length: 5 }, forks);
    expect(seen.slice(0, 3)).toEqual([4, 4, 4]);
    expect(seen.slice(3)).toEqual([9, 9]); // tick 10: five ticks after the last read
  });

  it('keeps the per-tick files of at most keepOpen cgroups open, and reads limits through a fresh open', () => {
    const fs = open(new RecordingFs(V2));
    const tick = ticker(fs, [v2Cgroup('nginx.service'), v2Cgroup('cron.service')], { keepOpen: 1 });
    tick();
    tick();
    const nginx = 'sys/fs/cgroup/system.slice/nginx.service';
    const cron = 'sys/fs/cgroup/system.slice/cron.service';
    expect(fs.keptReads.filter((r) => r.startsWith(cron))).toEqual([]);
    expect(fs.keptReads.filter((r) => r === `${nginx}/cpu.stat`)).toHaveLength(2);
    expect(fs.onceReads.filter((r) => r === `${cron}/cpu.stat`)).toHaveLength(2);
    expect(fs.onceReads.filter((r) => r === `${nginx}/memory.max`)).toHaveLength(1);
    expect(fs.keptReads).not.toContain(`${nginx}/memory.max`);
  });

  it('keeps the CPU usage of more cgroups open than their other per-tick files, within a quarter of the open-file limit', () => {
    const root = copyOf(V2);
    mkdirSync(join(root, 'proc/self'), { recursive: true });
    // 96 files: a quarter is 24, half of it for usage (12 cgroups), half for 12 other files (1 cgroup)
    writeFileSync(
      join(root, 'proc/self/limits'),
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            96                   96                   files\n',
    );
    const fs = open(new RecordingFs(root));
    const tick = ticker(fs, [v2Cgroup('nginx.service'), v2Cgroup('cron.service')]);
    tick();
    tick();
    const nginx = 'sys/fs/cgroup/system.slice/nginx.service';
    const cron = 'sys/fs/cgroup/system.slice/cron.service';
    expect(fs.keptReads.filter((r) => r === `${cron}/cpu.stat`)).toHaveLength(2);
    expect(fs.keptReads.filter((r) => r.startsWith(cron) && !r.endsWith('/cpu.stat'))).toEqual([]);
    expect(fs.onceReads.filter((r) => r === `${cron}/memory.current`).length).toBeGreaterThan(0);
    expect(fs.keptReads).toContain(`${nginx}/memory.current`);
  });

  it('a cgroup that went away is left out without a report, and its descriptors are closed', () => {
    const root = copyOf(V2);
    const fs = open(new RecordingFs(root));
    const tick = ticker(fs, [v2Cgroup('nginx.service'), v2Cgroup('cron.service')]);
    tick();
    rmSync(join(root, 'sys/fs/cgroup/system.slice/cron.service'), { recursive: true });
    const after = tick();
    expect(after.sample.cgroups.map((r) => r.identity.id)).toEqual(['/system.slice/nginx.service']);
    expect(after.reports).toEqual([]);
    expect(fs.released).toContain('sys/fs/cgroup/system.slice/cron.service/cpu.stat');
    expect(fs.released.filter((r) => r.includes('nginx'))).toEqual([]);
    const cronReads = () => [...fs.onceReads, ...fs.keptReads].filter((r) => r.includes('cron')).length;
    const before = cronReads();
    expect(tick().sample.cgroups).toHaveLength(1);
    // still listed by discovery: one look a tick for it (its first file), not a probe of every file
    expect(cronReads() - before).toBe(1);
  });

  it('closes the descriptors of a cgroup discovery no longer lists', () => {
    const fs = open(new RecordingFs(V2));
    const listed = [v2Cgroup('nginx.service'), v2Cgroup('cron.service')];
    const collector = createCgroupCollector({ workloads: () => listed });
    collector.read(new SourceLog(fs));
    listed.pop();
    collector.read(new SourceLog(fs));
    expect(fs.released).toContain('sys/fs/cgroup/system.slice/cron.service/io.stat');
    expect(fs.released.filter((r) => r.includes('nginx'))).toEqual([]);
  });
});

describe('the activity hint', () => {
  const NGINX = '/system.slice/nginx.service';
  const CRON = '/system.slice/cron.service';
  /** Ticks over a copy of the v2 fixture with `hint`; each gives which cgroups' cpu.stat it read and the readings. */
  function hinted(hint: () => CgroupActivityHint, options: CgroupReaderOptions = {}) {
    const root = copyOf(V2);
    const fs = open(new RecordingFs(root));
    const tick = ticker(fs, [v2Cgroup('nginx.service'), v2Cgroup('cron.service')], options, hint);
    const usage = (unit: string, usec: number) =>
      writeFileSync(join(root, 'sys/fs/cgroup/system.slice', unit, 'cpu.stat'), `usage_usec ${usec}\n`);
    return {
      usage,
      tick: () => {
        const from = fs.keptReads.length;
        const { byId } = tick();
        const read = fs.keptReads.slice(from).filter((r) => r.endsWith('/cpu.stat'));
        return { read: read.map((r) => r.slice('sys/fs/cgroup'.length, -'/cpu.stat'.length)).sort(), byId };
      },
    };
  }

  it('leaves a cgroup idle on its last read, where no process was at work, unread but every unhintedEveryTicks', () => {
    const nothing = { active: new Set<string>(), watched: new Set<string>() };
    const { tick, usage } = hinted(() => nothing, { unhintedEveryTicks: 5 });
    tick(); // first sight
    expect(tick().read).toEqual([CRON, NGINX]); // the first comparison: both idle
    const asleep = tick();
    expect(asleep.read).toEqual([]);
    // used CPU with no process seen at work (a process that began and ended between two ticks)
    usage('nginx.service', 48213377 + 5000);
    const reads: string[][] = [];
    let shown: number | undefined;
    for (let t = 0; t < 5 && shown === undefined; t++) {
      const { read, byId } = tick();
      reads.push(read);
      if (byId.get(NGINX)?.cpuUsageUsec === 48213377 + 5000) shown = t;
    }
    // at most unhintedEveryTicks late, whole, and unread until then
    expect(shown).toBeDefined();
    expect(reads.slice(0, -1).flat()).not.toContain(NGINX);
    expect(reads.at(-1)).toContain(NGINX);
    expect(asleep.byId.get(NGINX)?.cpuUsageUsec).toBe(48213377);
  });

  it('reads a cgroup where a process was at work, one carried or with a finding, and one busy on its last read', () => {
    let hint: CgroupActivityHint = { active: new Set(), watched: new Set() };
    const { tick, usage } = hinted(() => hint, { unhintedEveryTicks: 1000 });
    tick();
    tick();
    expect(tick().read).toEqual([]);
    hint = { active: new Set([NGINX, '/system.slice']), watched: new Set() };
    expect(tick().read).toEqual([NGINX]);
    hint = { active: new Set(), watched: new Set([CRON]) };
    expect(tick().read).toEqual([CRON]);
    // busy on a read with no process seen at work (processes under 10 ms of CPU): read while busy
    hint = { active: new Set(), watched: new Set([CRON]) };
    usage('cron.service', 2000);
    expect(tick().read).toEqual([CRON]);
    hint = { active: new Set(), watched: new Set() };
    usage('cron.service', 3000);
    expect(tick().read).toEqual([CRON]);
    expect(tick().read).toEqual([CRON]); // idle again: read once more, then asleep
    expect(tick().read).toEqual([]);
  });

  it('leaves a sleeping cgroup unread when a re-walk gives it a new identity, and carries that identity', () => {
    const root = copyOf(V2);
    const fs = open(new RecordingFs(root));
    let listed = [v2Cgroup('nginx.service')];
    const nothing = () => ({ active: new Set<string>(), watched: new Set<string>() });
    const collector = createCgroupCollector({ workloads: () => listed }, { unhintedEveryTicks: 1000 });
    const read = () => {
      collector.hint?.(nothing());
      return (collector.read(new SourceLog(fs)) as CgroupsSample).cgroups[0];
    };
    read();
    read();
    read();
    const from = fs.keptReads.length + fs.onceReads.length;
    listed = [{ ...v2Cgroup('nginx.service'), identity: { id: NGINX, kind: 'service', name: 'web (nginx)' } }];
    const renamed = read();
    expect(fs.keptReads.length + fs.onceReads.length).toBe(from);
    expect(renamed.identity.name).toBe('web (nginx)');
    expect(renamed.cpuUsageUsec).toBe(48213377);
  });

  it('reads every cgroup without process activity, or while a container has no v2 directory to place its processes', () => {
    const { tick } = hinted(() => ({ watched: new Set() }), { unhintedEveryTicks: 1000 });
    tick();
    tick();
    expect(tick().read).toEqual([CRON, NGINX]);
    // a docker container of the cgroupfs driver on a hybrid host: in the v1 controllers only
    const container: WorkloadCgroup = {
      identity: { id: `/docker/${'a'.repeat(64)}`, kind: 'container', name: 'aaaaaaaaaaaa' },
      v1Dirs: { cpuacct: `sys/fs/cgroup/cpuacct/${LIMITED}` },
    };
    const fs = open(new RecordingFs(HYBRID));
    const nothing = () => ({ active: new Set<string>(), watched: new Set<string>() });
    const hybrid = ticker(fs, [hybridCgroup(LIMITED), container], { unhintedEveryTicks: 1000 }, nothing);
    for (let t = 0; t < 3; t++) hybrid();
    const from = fs.keptReads.length;
    hybrid();
    expect(fs.keptReads.slice(from)).toContain(`sys/fs/cgroup/unified/${LIMITED}/cpu.stat`);
  });

  it('reads every tick a cgroup whose CPU usage is not the v2 cpu.stat (a pure v1 host)', () => {
    const fs = open(new RecordingFs(HYBRID));
    const nothing = () => ({ active: new Set<string>(), watched: new Set<string>() });
    const tick = ticker(fs, [hybridCgroup(LIMITED, false)], { unhintedEveryTicks: 1000 }, nothing);
    for (let t = 0; t < 3; t++) tick();
    const from = fs.keptReads.length;
    tick();
    expect(fs.keptReads.slice(from)).toContain(`sys/fs/cgroup/cpuacct/${LIMITED}/cpuacct.usage`);
  });
});

/** A host where one cgroup file is denied. */
class DeniedFs extends ProcFs {
  constructor(
    root: string,
    private readonly denied: string,
  ) {
    super(root);
  }
  override readKept(rel: string, oneRead = false) {
    if (rel.endsWith(this.denied)) return { ok: false as const, ...statusOfError({ code: 'EACCES' }) };
    return super.readKept(rel, oneRead);
  }
}

describe('unreadable files', () => {
  it('a denied file leaves its fields out and is reported once a tick for all cgroups', () => {
    const tick = ticker(open(new DeniedFs(V2, 'io.stat')), [v2Cgroup('nginx.service'), v2Cgroup('cron.service')], {
      idleEveryTicks: 1,
    });
    tick();
    const { byId, reports } = tick();
    expect(byId.get('/system.slice/nginx.service')?.ioReadBytes).toBeUndefined();
    expect(byId.get('/system.slice/nginx.service')?.pidsCurrent).toBe(37);
    expect(reports).toEqual([
      { source: 'sys/fs/cgroup/[cgroup]/io.stat', status: 'denied', reason: 'denied for 2 cgroups' },
    ]);
  });

  it('a corrupted file never throws: its fields are left out and the failure names the file', () => {
    const root = copyOf(V2);
    const rel = 'sys/fs/cgroup/system.slice/nginx.service/memory.events';
    const real = readFileSync(join(V2, rel), 'latin1');
    fc.assert(
      fc.property(fc.nat({ max: real.length }), fc.string({ unit: 'binary' }), (cut, junk) => {
        writeFileSync(join(root, rel), real.slice(0, cut) + junk + real.slice(cut, cut + 20), 'latin1');
        const fs = new ProcFs(root);
        try {
          const { byId, reports } = ticker(fs, [v2Cgroup('nginx.service')])();
          const reading = byId.get('/system.slice/nginx.service');
          expect(reading?.pidsCurrent).toBe(37);
          const failed = reports.find((r) => r.status === 'failed');
          if (failed === undefined) expect(reading?.memoryMaxEvents).toBeDefined();
          else {
            expect(failed.source).toBe('sys/fs/cgroup/[cgroup]/memory.events');
            expect(failed.reason).toContain(`1 unreadable, first: ${rel}: memory.events`);
            expect(reading?.memoryMaxEvents).toBeUndefined();
          }
        } finally {
          fs.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
