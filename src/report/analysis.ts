import type { MetricName } from '../catalog/index.js';
import type { AnalysisLevels } from '../checklist/analysis-levels.js';
import { type Checklist, resolveThresholds } from '../checklist/model.js';
import { rankProcesses } from '../derive/processes.js';
import type { ProcessEntry } from '../model/frame.js';
import { formatNumber, formatValue } from '../use/units.js';
import type { CheckRun } from './run.js';

/** One of Gregg's ten "60-second analysis" steps, computed from the window's metrics. */
export interface AnalysisStep {
  step: number;
  title: string;
  /** The command an engineer would run for the same figures. */
  command: string;
  /** Which figures are means over the window and which the last sample, said once per step. */
  basis: string;
  /** Human lines for the text report. */
  lines: string[];
  /** The same figures as numbers (units in the key names), for the JSON report. */
  data: Record<string, unknown>;
}

type StepBody = Omit<AnalysisStep, 'step'>;
type Figure = (name: MetricName, instance?: string) => number | undefined;

/** What every step reads: the window's means and last samples, the CPUs, and the checklist's levels. */
interface Window {
  run: CheckRun;
  mean: Figure;
  last: Figure;
  cpus: number;
  levels: AnalysisLevels;
}

const MIB = 1024 * 1024;
const KIB = 1024;

function pct(ratio: number | undefined): string {
  return ratio === undefined ? '–' : `${formatNumber(ratio * 100)}%`;
}

function num(n: number | undefined, scale = 1): string {
  return n === undefined ? '–' : formatNumber(n / scale);
}

function sum(...values: (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const v of values) if (v !== undefined) total = (total ?? 0) + v;
  return total;
}

function above(value: number | undefined, level: number | undefined): boolean {
  return value !== undefined && level !== undefined && value > level;
}

function instancesOf(run: CheckRun, metric: MetricName): string[] {
  return Object.keys(run.mean[metric] ?? run.last[metric] ?? {});
}

/** The level the checklist's rule on a host-wide metric raises at (warn, else crit), after overrides. */
function ruleLevel(checklist: Checklist, metric: MetricName): number | undefined {
  const rule = checklist.rules.find((r) => r.metric === metric);
  const t = rule && resolveThresholds(rule, checklist.overrides, '');
  return t?.warn ?? t?.crit;
}

function processLine(p: ProcessEntry): string {
  const io = (p.readBps ?? 0) + (p.writeBps ?? 0);
  const parts = [
    `${String(p.pid).padStart(7)} ${p.name.padEnd(16)}`,
    `cpu ${pct(p.cpu).padStart(5)}`,
    `rss ${formatValue(p.rssBytes, 'bytes').padStart(9)}`,
    `state ${p.state}`,
  ];
  if (io > 0) parts.push(`io ${formatValue(io, 'bytes_per_s')}`);
  if (p.runDelay !== undefined && p.runDelay > 0) parts.push(`waiting ${formatNumber(p.runDelay)} threads`);
  return parts.join('  ');
}

function processData(p: ProcessEntry) {
  return {
    pid: p.pid,
    name: p.name,
    cmd: p.cmd,
    state: p.state,
    cpu: p.cpu,
    rssBytes: p.rssBytes,
    readBps: p.readBps,
    writeBps: p.writeBps,
    runDelay: p.runDelay,
  };
}

/** Rising or falling when one load is past the other by the checklist's ratio and gap. */
function loadTrend(l1: number | undefined, l15: number | undefined, levels: AnalysisLevels): string {
  const { load_trend_ratio: ratio, load_trend_gap: gap } = levels;
  if (l1 === undefined || l15 === undefined || ratio === undefined || gap === undefined) return 'unknown';
  if (l1 > l15 * ratio && l1 - l15 > gap) return 'rising: the load is recent';
  if (l15 > l1 * ratio && l15 - l1 > gap) return 'falling: the problem may be over (you may have logged in late)';
  return 'steady';
}

function loadStep(w: Window): StepBody {
  const [l1, l5, l15] = [w.last('cpu.load1'), w.last('cpu.load5'), w.last('cpu.load15')];
  const trend = loadTrend(l1, l15, w.levels);
  return {
    title: 'load averages',
    basis: 'last sample',
    command: 'uptime',
    lines: [`load ${num(l1)} ${num(l5)} ${num(l15)} (1, 5, 15 min) on ${w.cpus} CPUs; trend ${trend}`],
    data: { load1: l1, load5: l5, load15: l15, cpus: w.cpus, trend: trend.split(':')[0] },
  };
}

function kernelStep({ run, mean }: Window): StepBody {
  const kmsg = run.sources.find((s) => s.source === 'dev/kmsg');
  const lines: string[] = [];
  const readable = kmsg === undefined || kmsg.status === 'ok';
  if (!readable) {
    lines.push(`kernel log not readable (${kmsg.status}${kmsg.reason ? `: ${kmsg.reason}` : ''}); needs CAP_SYSLOG`);
  } else if (run.kernelEvents.length === 0) {
    lines.push('no OOM, I/O, filesystem, MCE or conntrack errors logged in the window');
  }
  for (const e of run.kernelEvents.slice(-10)) lines.push(`${e.kind} (${e.resource}): ${e.text}`);
  const ooms = mean('memory.oom_kills');
  if (ooms !== undefined && ooms > 0) lines.push(`OOM kills counted by vmstat in the window`);
  return {
    title: 'kernel errors',
    basis: 'every record logged in the window',
    command: 'dmesg | tail',
    lines,
    data: { readable, events: run.kernelEvents },
  };
}

function vmstatFigures({ mean: m, last }: Window) {
  return {
    r: m('cpu.procs_running'),
    b: m('disk.blocked_tasks'),
    freeBytes: last('memory.free_bytes'),
    buffersBytes: last('memory.buffers_bytes'),
    cachedBytes: last('memory.cached_bytes'),
    swapInBps: m('memory.swap_in_bps'),
    swapOutBps: m('memory.swap_out_bps'),
    pageInBps: m('memory.page_in_bps'),
    pageOutBps: m('memory.page_out_bps'),
    in: m('cpu.interrupts_ps'),
    cs: m('cpu.context_switches_ps'),
    us: sum(m('cpu.user'), m('cpu.nice')),
    sy: sum(m('cpu.system'), m('cpu.irq'), m('cpu.softirq')),
    id: m('cpu.idle'),
    wa: m('cpu.iowait'),
    st: m('cpu.steal'),
  };
}

/** Remarks on the vmstat figures past the checklist's levels (swapping: past its swap rules' levels). */
function vmstatNotes(vm: ReturnType<typeof vmstatFigures>, w: Window): string[] {
  const notes: string[] = [];
  const { runnable_per_cpu: perCpu, system_time: system, iowait } = w.levels;
  if (perCpu !== undefined && above(vm.r, w.cpus * perCpu)) {
    const limit = perCpu === 1 ? `${w.cpus} CPUs` : `${num(w.cpus * perCpu)} (${pct(perCpu)} of ${w.cpus} CPUs)`;
    notes.push(`r ${num(vm.r)} > ${limit}: CPU saturation`);
  }
  const swapping = (metric: MetricName, value: number | undefined) => above(value, ruleLevel(w.run.checklist, metric));
  if (swapping('memory.swap_in_bps', vm.swapInBps) || swapping('memory.swap_out_bps', vm.swapOutBps)) {
    notes.push('swapping: out of memory');
  }
  if (system !== undefined && above(vm.sy, system)) {
    notes.push(`system time above ${formatNumber(system * 100)} %: look at the kernel side`);
  }
  if (iowait !== undefined && above(vm.wa, iowait)) notes.push('steady iowait: a disk bottleneck is likely');
  return notes;
}

function vmstatStep(w: Window): StepBody {
  const vm = vmstatFigures(w);
  return {
    title: 'virtual memory, run queue and CPU modes',
    basis: 'means over the window, except free, buff and cache: last sample',
    command: 'vmstat 1',
    lines: [
      `r ${num(vm.r)}  b ${num(vm.b)}  free ${num(vm.freeBytes, MIB)} MiB  buff ${num(vm.buffersBytes, MIB)} MiB  cache ${num(vm.cachedBytes, MIB)} MiB`,
      `si ${num(vm.swapInBps, KIB)} so ${num(vm.swapOutBps, KIB)} KiB/s  bi ${num(vm.pageInBps, KIB)} bo ${num(vm.pageOutBps, KIB)} KiB/s  in ${num(vm.in)}/s cs ${num(vm.cs)}/s`,
      `us ${pct(vm.us)} sy ${pct(vm.sy)} id ${pct(vm.id)} wa ${pct(vm.wa)} st ${pct(vm.st)}`,
      ...vmstatNotes(vm, w),
    ],
    data: vm,
  };
}

function perCpuStep({ run, mean: m }: Window): StepBody {
  const perCpu = instancesOf(run, 'cpu.core_utilization')
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
    .map((cpu) => ({ cpu, utilization: m('cpu.core_utilization', cpu) }));
  return {
    title: 'per-CPU balance',
    basis: 'means over the window',
    command: 'mpstat -P ALL 1',
    lines: [
      perCpu.map((c) => `${c.cpu} ${pct(c.utilization)}`).join('  ') || 'no per-CPU figures',
      `busiest CPU ${pct(m('cpu.max_core_utilization'))}, ${pct(m('cpu.imbalance'))} above the mean of all CPUs`,
    ],
    data: { perCpu, maxCoreUtilization: m('cpu.max_core_utilization'), imbalance: m('cpu.imbalance') },
  };
}

function processCpuStep({ run }: Window): StepBody {
  const byCpu = rankProcesses(run.processes, 'cpu', 5);
  return {
    title: 'per-process CPU',
    basis: 'CPU, I/O and run delay: means over the window; RSS: last sample',
    command: 'pidstat 1',
    lines: byCpu.length > 0 ? byCpu.map(processLine) : ['no process used CPU in the window'],
    data: { processes: byCpu.map(processData) },
  };
}

function diskStep({ run, mean: m }: Window): StepBody {
  const disks = instancesOf(run, 'disk.utilization')
    .map((dev) => ({
      device: dev,
      readsPs: m('disk.reads_ps', dev),
      writesPs: m('disk.writes_ps', dev),
      readBps: m('disk.read_bps', dev),
      writeBps: m('disk.write_bps', dev),
      awaitMs: m('disk.await_ms', dev),
      queueDepth: m('disk.queue_depth', dev),
      utilization: m('disk.utilization', dev),
    }))
    .filter((d) => (d.readsPs ?? 0) + (d.writesPs ?? 0) > 0 || (d.utilization ?? 0) > 0);
  return {
    title: 'disk I/O',
    basis: 'means over the window',
    command: 'iostat -xz 1',
    lines:
      disks.length > 0
        ? disks.map(
            (d) =>
              `${d.device.padEnd(10)} r/s ${num(d.readsPs)}  w/s ${num(d.writesPs)}  rkB/s ${num(d.readBps, KIB)}  wkB/s ${num(d.writeBps, KIB)}  await ${num(d.awaitMs)} ms  aqu-sz ${num(d.queueDepth)}  %util ${pct(d.utilization)}`,
          )
        : ['no disk I/O in the window'],
    data: { disks },
  };
}

function memoryStep({ last }: Window): StepBody {
  const mem = {
    totalBytes: last('memory.total_bytes'),
    usedBytes: last('memory.used_bytes'),
    freeBytes: last('memory.free_bytes'),
    buffersBytes: last('memory.buffers_bytes'),
    cachedBytes: last('memory.cached_bytes'),
    availableBytes: last('memory.available_bytes'),
    swapUsedBytes: last('memory.swap_used_bytes'),
  };
  return {
    title: 'memory',
    basis: 'last sample',
    command: 'free -m',
    lines: [
      `total ${num(mem.totalBytes, MIB)} MiB  used ${num(mem.usedBytes, MIB)}  free ${num(mem.freeBytes, MIB)}  buff/cache ${num(sum(mem.buffersBytes, mem.cachedBytes), MIB)}  available ${num(mem.availableBytes, MIB)}`,
      mem.swapUsedBytes === undefined ? 'no swap' : `swap used ${num(mem.swapUsedBytes, MIB)} MiB`,
    ],
    data: mem,
  };
}

function networkStep({ run, mean: m }: Window): StepBody {
  const nics = instancesOf(run, 'net.rx_bps').map((nic) => ({
    nic,
    rxBps: m('net.rx_bps', nic),
    txBps: m('net.tx_bps', nic),
    rxPps: m('net.rx_pps', nic),
    txPps: m('net.tx_pps', nic),
    utilization: m('net.utilization', nic),
  }));
  return {
    title: 'network throughput',
    basis: 'means over the window',
    command: 'sar -n DEV 1',
    lines:
      nics.length > 0
        ? nics.map(
            (n) =>
              `${n.nic.padEnd(10)} rxkB/s ${num(n.rxBps, KIB)}  txkB/s ${num(n.txBps, KIB)}  rxpck/s ${num(n.rxPps)}  txpck/s ${num(n.txPps)}  %ifutil ${n.utilization === undefined ? '– (link speed unknown)' : pct(n.utilization)}`,
          )
        : ['no network interface figures'],
    data: { nics },
  };
}

function tcpStep({ mean: m, last }: Window): StepBody {
  const tcp = {
    activeOpensPs: m('tcp.active_opens_ps'),
    passiveOpensPs: m('tcp.passive_opens_ps'),
    retransPs: m('tcp.retrans_ps'),
    inSegsPs: m('tcp.in_segs_ps'),
    outSegsPs: m('tcp.out_segs_ps'),
    retransRatio: m('tcp.retrans_ratio'),
    established: last('tcp.established'),
  };
  return {
    title: 'TCP',
    basis: 'rates and the retransmit share: means over the window; established: last sample',
    command: 'sar -n TCP,ETCP 1',
    lines: [
      `active/s ${num(tcp.activeOpensPs)}  passive/s ${num(tcp.passiveOpensPs)}  retrans/s ${num(tcp.retransPs)} (${pct(tcp.retransRatio)} of segments)  iseg/s ${num(tcp.inSegsPs)}  oseg/s ${num(tcp.outSegsPs)}  established ${num(tcp.established)}`,
    ],
    data: tcp,
  };
}

function topStep({ run, last }: Window): StepBody {
  const top = [...rankProcesses(run.processes, 'cpu', 5)];
  for (const p of rankProcesses(run.processes, 'memory', 5)) if (!top.includes(p)) top.push(p);
  return {
    title: 'top processes',
    basis: 'task counts and RSS: last sample; CPU, I/O and run delay: means over the window',
    command: 'top',
    lines: [
      `tasks ${num(last('tasks.processes'))} processes, ${num(last('tasks.count'))} threads, ${num(last('tasks.uninterruptible'))} in D state, ${num(last('tasks.zombies'))} zombies`,
      ...top.map(processLine),
    ],
    data: { processes: top.map(processData) },
  };
}

/** Gregg's ten steps, in his order. */
const STEPS: ((w: Window) => StepBody)[] = [
  loadStep,
  kernelStep,
  vmstatStep,
  perCpuStep,
  processCpuStep,
  diskStep,
  memoryStep,
  networkStep,
  tcpStep,
  topStep,
];

/** Gregg's ten steps (Netflix, "Linux Performance Analysis in 60,000 Milliseconds") over the run. */
export function sixtySecondAnalysis(run: CheckRun): AnalysisStep[] {
  const mean: Figure = (name, instance = '') => run.mean[name]?.[instance];
  const last: Figure = (name, instance = '') => run.last[name]?.[instance];
  const cpus = last('cpu.capacity') ?? last('cpu.count') ?? run.host.cpus;
  const w: Window = { run, mean, last, cpus, levels: run.checklist.analysis };
  return STEPS.map((step, i) => ({ step: i + 1, ...step(w) }));
}
