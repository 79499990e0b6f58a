import type { MetricName } from '../catalog/index.js';
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

const MIB = 1024 * 1024;
const KIB = 1024;

function pct(ratio: number | undefined): string {
  return ratio === undefined ? '–' : `${formatNumber(ratio * 100)}%`;
}

function num(n: number | undefined, scale = 1): string {
  return n === undefined ? '–' : formatNumber(n / scale);
}

function instancesOf(run: CheckRun, metric: MetricName): string[] {
  return Object.keys(run.mean[metric] ?? run.last[metric] ?? {});
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

/** Gregg's ten steps (Netflix, "Linux Performance Analysis in 60,000 Milliseconds") over the run. */
export function sixtySecondAnalysis(run: CheckRun): AnalysisStep[] {
  const m = (name: MetricName, instance = '') => run.mean[name]?.[instance];
  const last = (name: MetricName, instance = '') => run.last[name]?.[instance];
  const steps: AnalysisStep[] = [];

  // 1. load averages and their trend
  const [l1, l5, l15] = [last('cpu.load1'), last('cpu.load5'), last('cpu.load15')];
  const cpus = last('cpu.capacity') ?? last('cpu.count') ?? run.host.cpus;
  let trend = 'unknown';
  if (l1 !== undefined && l15 !== undefined) {
    if (l1 > l15 * 1.5 && l1 - l15 > 0.5) trend = 'rising: the load is recent';
    else if (l15 > l1 * 1.5 && l15 - l1 > 0.5) trend = 'falling: the problem may be over (you may have logged in late)';
    else trend = 'steady';
  }
  steps.push({
    step: 1,
    title: 'load averages',
    basis: 'last sample',
    command: 'uptime',
    lines: [`load ${num(l1)} ${num(l5)} ${num(l15)} (1, 5, 15 min) on ${cpus} CPUs; trend ${trend}`],
    data: { load1: l1, load5: l5, load15: l15, cpus, trend: trend.split(':')[0] },
  });

  // 2. kernel errors
  const kmsg = run.sources.find((s) => s.source === 'dev/kmsg');
  const kernelLines: string[] = [];
  let readable = true;
  if (kmsg !== undefined && kmsg.status !== 'ok') {
    readable = false;
    kernelLines.push(
      `kernel log not readable (${kmsg.status}${kmsg.reason ? `: ${kmsg.reason}` : ''}); needs CAP_SYSLOG`,
    );
  } else if (run.kernelEvents.length === 0) {
    kernelLines.push('no OOM, I/O, filesystem, MCE or conntrack errors logged in the window');
  }
  for (const e of run.kernelEvents.slice(-10)) kernelLines.push(`${e.kind} (${e.resource}): ${e.text}`);
  const ooms = m('memory.oom_kills');
  if (ooms !== undefined && ooms > 0) kernelLines.push(`OOM kills counted by vmstat in the window`);
  steps.push({
    step: 2,
    title: 'kernel errors',
    basis: 'every record logged in the window',
    command: 'dmesg | tail',
    lines: kernelLines,
    data: { readable, events: run.kernelEvents },
  });

  // 3. vmstat
  const vm = {
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
  const vmNotes: string[] = [];
  if (vm.r !== undefined && vm.r > cpus) vmNotes.push(`r ${num(vm.r)} > ${cpus} CPUs: CPU saturation`);
  if ((vm.swapInBps ?? 0) > 0 || (vm.swapOutBps ?? 0) > 0) vmNotes.push('swapping: out of memory');
  if (vm.sy !== undefined && vm.sy > 0.2) vmNotes.push('system time above 20 %: look at the kernel side');
  if (vm.wa !== undefined && vm.wa > 0.1) vmNotes.push('steady iowait: a disk bottleneck is likely');
  steps.push({
    step: 3,
    title: 'virtual memory, run queue and CPU modes',
    basis: 'means over the window, except free, buff and cache: last sample',
    command: 'vmstat 1',
    lines: [
      `r ${num(vm.r)}  b ${num(vm.b)}  free ${num(vm.freeBytes, MIB)} MiB  buff ${num(vm.buffersBytes, MIB)} MiB  cache ${num(vm.cachedBytes, MIB)} MiB`,
      `si ${num(vm.swapInBps, KIB)} so ${num(vm.swapOutBps, KIB)} KiB/s  bi ${num(vm.pageInBps, KIB)} bo ${num(vm.pageOutBps, KIB)} KiB/s  in ${num(vm.in)}/s cs ${num(vm.cs)}/s`,
      `us ${pct(vm.us)} sy ${pct(vm.sy)} id ${pct(vm.id)} wa ${pct(vm.wa)} st ${pct(vm.st)}`,
      ...vmNotes,
    ],
    data: vm,
  });

  // 4. per-CPU balance
  const perCpu = instancesOf(run, 'cpu.core_utilization')
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
    .map((cpu) => ({ cpu, utilization: m('cpu.core_utilization', cpu) }));
  steps.push({
    step: 4,
    title: 'per-CPU balance',
    basis: 'means over the window',
    command: 'mpstat -P ALL 1',
    lines: [
      perCpu.map((c) => `${c.cpu} ${pct(c.utilization)}`).join('  ') || 'no per-CPU figures',
      `busiest CPU ${pct(m('cpu.max_core_utilization'))}, ${pct(m('cpu.imbalance'))} above the mean of all CPUs`,
    ],
    data: { perCpu, maxCoreUtilization: m('cpu.max_core_utilization'), imbalance: m('cpu.imbalance') },
  });

  // 5. per-process CPU
  const byCpu = rankProcesses(run.processes, 'cpu', 5);
  steps.push({
    step: 5,
    title: 'per-process CPU',
    basis: 'CPU, I/O and run delay: means over the window; RSS: last sample',
    command: 'pidstat 1',
    lines: byCpu.length > 0 ? byCpu.map(processLine) : ['no process used CPU in the window'],
    data: { processes: byCpu.map(processData) },
  });

  // 6. iostat
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
  steps.push({
    step: 6,
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
  });

  // 7. free -m
  const mem = {
    totalBytes: last('memory.total_bytes'),
    usedBytes: last('memory.used_bytes'),
    freeBytes: last('memory.free_bytes'),
    buffersBytes: last('memory.buffers_bytes'),
    cachedBytes: last('memory.cached_bytes'),
    availableBytes: last('memory.available_bytes'),
    swapUsedBytes: last('memory.swap_used_bytes'),
  };
  steps.push({
    step: 7,
    title: 'memory',
    basis: 'last sample',
    command: 'free -m',
    lines: [
      `total ${num(mem.totalBytes, MIB)} MiB  used ${num(mem.usedBytes, MIB)}  free ${num(mem.freeBytes, MIB)}  buff/cache ${num(sum(mem.buffersBytes, mem.cachedBytes), MIB)}  available ${num(mem.availableBytes, MIB)}`,
      mem.swapUsedBytes === undefined ? 'no swap' : `swap used ${num(mem.swapUsedBytes, MIB)} MiB`,
    ],
    data: mem,
  });

  // 8. network throughput
  const nics = instancesOf(run, 'net.rx_bps').map((nic) => ({
    nic,
    rxBps: m('net.rx_bps', nic),
    txBps: m('net.tx_bps', nic),
    rxPps: m('net.rx_pps', nic),
    txPps: m('net.tx_pps', nic),
    utilization: m('net.utilization', nic),
  }));
  steps.push({
    step: 8,
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
  });

  // 9. TCP
  const tcp = {
    activeOpensPs: m('tcp.active_opens_ps'),
    passiveOpensPs: m('tcp.passive_opens_ps'),
    retransPs: m('tcp.retrans_ps'),
    inSegsPs: m('tcp.in_segs_ps'),
    outSegsPs: m('tcp.out_segs_ps'),
    retransRatio: m('tcp.retrans_ratio'),
    established: last('tcp.established'),
  };
  steps.push({
    step: 9,
    title: 'TCP',
    basis: 'rates and the retransmit share: means over the window; established: last sample',
    command: 'sar -n TCP,ETCP 1',
    lines: [
      `active/s ${num(tcp.activeOpensPs)}  passive/s ${num(tcp.passiveOpensPs)}  retrans/s ${num(tcp.retransPs)} (${pct(tcp.retransRatio)} of segments)  iseg/s ${num(tcp.inSegsPs)}  oseg/s ${num(tcp.outSegsPs)}  established ${num(tcp.established)}`,
    ],
    data: tcp,
  });

  // 10. top
  const top = [...rankProcesses(run.processes, 'cpu', 5)];
  for (const p of rankProcesses(run.processes, 'memory', 5)) if (!top.includes(p)) top.push(p);
  steps.push({
    step: 10,
    title: 'top processes',
    basis: 'task counts and RSS: last sample; CPU, I/O and run delay: means over the window',
    command: 'top',
    lines: [
      `tasks ${num(last('tasks.processes'))} processes, ${num(last('tasks.count'))} threads, ${num(last('tasks.uninterruptible'))} in D state, ${num(last('tasks.zombies'))} zombies`,
      ...top.map(processLine),
    ],
    data: { processes: top.map(processData) },
  });
  return steps;
}

function sum(...values: (number | undefined)[]): number | undefined {
  let total: number | undefined;
  for (const v of values) if (v !== undefined) total = (total ?? 0) + v;
  return total;
}
