import { type CpuQuota, parseCfsQuota, parseCpuMax } from './cgroup/parse-cpu.js';
import { type ProcCgroups, parseProcCgroup } from './cgroup/proc-cgroup.js';
import type { Collector } from './collector.js';
import { OptionalSource } from './optional.js';
import { counterAt, fields, lines, NOT_A_COUNTER, parseCounter, parseDecimal, Scanner, toNumber } from './parse.js';
import type { SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';

/**
 * CPU times of one /proc/stat line in USER_HZ ticks. Plain numbers: 2^53 ticks at 100 Hz is
 * millions of years, so they stay exact. guest and guest_nice are already counted inside user and
 * nice; they are kept for display only and never added to a total.
 */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

export const CPU_MODES = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
  'guest',
  'guestNice',
] as const satisfies readonly (keyof CpuTimes)[];

export interface ProcStat {
  /** The aggregate `cpu` line. */
  total: CpuTimes;
  /** One entry per online CPU, keyed "cpu0", "cpu1"…: an offline CPU has no line. */
  cpus: Map<string, CpuTimes>;
  ctxt?: Counter;
  /** Total interrupts (first column of the intr line). */
  intr?: Counter;
  /** Forks since boot. */
  processes?: Counter;
  /** Boot time, epoch seconds. */
  btime?: number;
  procsRunning?: number;
  procsBlocked?: number;
}

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
  /** Runnable scheduling entities right now. */
  running: number;
  /** Existing scheduling entities (threads). */
  threads: number;
  lastPid: number;
}

/** /proc/schedstat: per CPU, the time tasks spent runnable on its run queue without running. */
export interface SchedStat {
  version: number;
  /** run_delay in ns by CPU ("cpu0"…): cumulative, only tasks waiting, never the one running. */
  runDelayNs: Map<string, Counter>;
}

export interface CpuSample {
  stat: ProcStat;
  loadavg?: LoadAvg;
  /** Undefined on kernels without CONFIG_SCHEDSTATS (no /proc/schedstat). */
  schedstat?: SchedStat;
  /** Undefined when no quota is set (or no cgroup CPU controller is visible). */
  quota?: CpuQuota;
}

const MIN_CPU_COLUMNS = 4; // user nice system idle: every kernel prints at least these

/** The times of the cpu line under the scanner, whose first field (the key) has been read. */
function parseCpuLine(s: Scanner, key: string): CpuTimes {
  const columns = s.countFields();
  if (columns < MIN_CPU_COLUMNS) {
    throw new ParseError(`line ${s.lineNo}: ${key}: expected at least ${MIN_CPU_COLUMNS} columns`);
  }
  const v = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const n = Math.min(columns, v.length);
  for (let i = 0; i < n; i++) {
    const ticks = s.nextCounter();
    if (ticks === NOT_A_COUNTER) throw s.notCounter(`line ${s.lineNo}: ${key} ${CPU_MODES[i]}`);
    v[i] = toNumber(ticks);
  }
  return {
    user: v[0],
    nice: v[1],
    system: v[2],
    idle: v[3],
    iowait: v[4],
    irq: v[5],
    softirq: v[6],
    steal: v[7],
    guest: v[8],
    guestNice: v[9],
  };
}

/** "cpu" followed by digits only: one CPU's line (the aggregate line is plain "cpu"). */
function isCpuN(key: string): boolean {
  return key.startsWith('cpu') && counterAt(key, 3, key.length) !== NOT_A_COUNTER;
}

/** The one value of a "key value" line, exactly, after the key. */
function soleCounter(s: Scanner, key: string): Counter {
  if (s.countFields() !== 1) throw new ParseError(`line ${s.lineNo}: ${key}: expected 1 value`);
  const v = s.nextCounter();
  if (v === NOT_A_COUNTER) throw s.notCounter(`line ${s.lineNo}: ${key}`);
  return v;
}

/** Parses /proc/stat. Columns missing on old kernels (steal, guest, guest_nice) read as 0. */
export function parseProcStat(text: string): ProcStat {
  let total: CpuTimes | undefined;
  const cpus = new Map<string, CpuTimes>();
  const out: Omit<ProcStat, 'total' | 'cpus'> = {};
  const s = new Scanner(text);
  while (s.nextLine()) {
    s.nextField();
    const key = s.field();
    if (key === 'intr') {
      // The intr line lists every IRQ (thousands of columns): only the total in front is needed.
      const v = s.nextCounter();
      if (v === NOT_A_COUNTER) throw s.notCounter(`line ${s.lineNo}: intr`);
      out.intr = v;
    } else if (key === 'cpu') total = parseCpuLine(s, key);
    else if (isCpuN(key)) cpus.set(key, parseCpuLine(s, key));
    else if (key === 'ctxt' || key === 'processes') out[key] = soleCounter(s, key);
    else if (key === 'btime') out.btime = toNumber(soleCounter(s, key));
    else if (key === 'procs_running') out.procsRunning = toNumber(soleCounter(s, key));
    else if (key === 'procs_blocked') out.procsBlocked = toNumber(soleCounter(s, key));
  }
  if (total === undefined) throw new ParseError('no "cpu" line');
  return { total, cpus, ...out };
}

/** Parses /proc/loadavg: "0.09 0.16 0.08 1/86 4503". */
export function parseLoadAvg(text: string): LoadAvg {
  const cols = fields(text.trim());
  if (cols.length !== 5) throw new ParseError(`expected 5 fields, got ${cols.length}`);
  const slash = cols[3].indexOf('/');
  if (slash < 0) throw new ParseError(`field 4: expected running/total, got "${cols[3]}"`);
  return {
    load1: parseDecimal(cols[0], 'load1'),
    load5: parseDecimal(cols[1], 'load5'),
    load15: parseDecimal(cols[2], 'load15'),
    running: Number(parseCounter(cols[3].slice(0, slash), 'running')),
    threads: Number(parseCounter(cols[3].slice(slash + 1), 'threads')),
    lastPid: Number(parseCounter(cols[4], 'last pid')),
  };
}

/** Fields of a cpuN line of /proc/schedstat up to run_delay (versions 15 to 17 print 9). */
const SCHEDSTAT_RUN_DELAY_FIELD = 8;

/**
 * Parses /proc/schedstat (Documentation/scheduler/sched-stats.rst): a "version N" line, then per
 * CPU "cpuN f1 … f9" whose 8th field is the sum of run_delay in ns; domain lines are skipped.
 */
export function parseSchedStat(text: string): SchedStat {
  let version: number | undefined;
  const runDelayNs = new Map<string, Counter>();
  for (const [i, line] of lines(text).entries()) {
    const cols = fields(line);
    if (cols.length === 0) continue;
    if (cols[0] === 'version') {
      if (cols.length !== 2) throw new ParseError(`line ${i + 1}: version: expected 1 value`);
      version = Number(parseCounter(cols[1], `line ${i + 1}: version`));
    } else if (isCpuN(cols[0])) {
      if (cols.length - 1 < SCHEDSTAT_RUN_DELAY_FIELD) {
        throw new ParseError(`line ${i + 1}: ${cols[0]}: expected at least ${SCHEDSTAT_RUN_DELAY_FIELD} fields`);
      }
      runDelayNs.set(cols[0], parseCounter(cols[SCHEDSTAT_RUN_DELAY_FIELD], `line ${i + 1}: ${cols[0]} run_delay`));
    }
  }
  if (version === undefined) throw new ParseError('no "version" line');
  if (version < 15) throw new ParseError(`version ${version}: run_delay is the 8th cpu field from version 15 on`);
  return { version, runDelayNs };
}

/**
 * Directories where a cgroup file of the agent's cgroup may be, most specific first. Inside a
 * container with a cgroup namespace the path is "/" and the mount root is the container's cgroup;
 * without one the path may not exist under the mount, so the mount root is tried too.
 */
export function cgroupDirs(self: ProcCgroups, v1Controller: string, v1Mounts: readonly string[]): string[] {
  const dirs: string[] = [];
  const add = (mount: string, path: string | undefined) => {
    if (path === undefined) return;
    const dir = path === '/' ? mount : `${mount}${path}`;
    if (!dirs.includes(dir)) dirs.push(dir);
  };
  for (const mount of ['sys/fs/cgroup', 'sys/fs/cgroup/unified']) {
    add(mount, self.v2);
    add(mount, '/');
  }
  for (const mount of v1Mounts) {
    add(mount, self.v1.get(v1Controller));
    add(mount, '/');
  }
  return dirs;
}

/** Reads /proc/self/cgroup; without it (a fixture root, an old kernel) the root cgroup is assumed. */
export function readSelfCgroups(log: SourceLog): ProcCgroups {
  const text = log.once('proc/self/cgroup', false);
  const parsed = text === undefined ? undefined : log.parse('proc/self/cgroup', text, parseProcCgroup);
  return parsed ?? { v2: '/', v1: new Map() };
}

const CPU_V1_MOUNTS = ['sys/fs/cgroup/cpu,cpuacct', 'sys/fs/cgroup/cpu'] as const;

type QuotaReader = (log: SourceLog) => CpuQuota | undefined;

/** Finds which cgroup CPU-limit file applies (once: the agent does not move between cgroups). */
function resolveQuotaReader(log: SourceLog): QuotaReader | undefined {
  for (const dir of cgroupDirs(readSelfCgroups(log), 'cpu', CPU_V1_MOUNTS)) {
    const max = `${dir}/cpu.max`;
    if (log.fs.readOnce(max).ok) return (l) => l.keptParsed(max, parseCpuMax);
    const quota = `${dir}/cpu.cfs_quota_us`;
    const period = `${dir}/cpu.cfs_period_us`;
    if (log.fs.readOnce(quota).ok) {
      return (l) => {
        const q = l.kept(quota);
        const p = l.kept(period);
        return q === undefined || p === undefined ? undefined : l.parse(quota, q, (t) => parseCfsQuota(t, p));
      };
    }
  }
  return undefined;
}

/** /proc/stat, /proc/loadavg, /proc/schedstat and the cgroup CPU quota of the agent's cgroup. */
export function createCpuCollector(): Collector<CpuSample> {
  let quotaReader: QuotaReader | undefined;
  let resolved = false;
  const schedstat = new OptionalSource(
    'proc/schedstat',
    60,
    (reason) => `${reason} (kernel without CONFIG_SCHEDSTATS: run delay is summed from /proc/<pid>/schedstat)`,
  );
  return {
    name: 'cpu',
    read(log) {
      const stat = log.keptParsed('proc/stat', parseProcStat);
      if (stat === undefined) return undefined;
      const loadavg = log.keptParsed('proc/loadavg', parseLoadAvg);
      if (!resolved) {
        quotaReader = resolveQuotaReader(log);
        resolved = true;
      }
      const quota = quotaReader?.(log);
      return { stat, loadavg, quota, schedstat: log.parse('proc/schedstat', schedstat.read(log), parseSchedStat) };
    },
  };
}
