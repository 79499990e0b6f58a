import type { CgroupEntry } from '../../src/model/cgroup.js';
import {
  type Finding,
  FRAME_SCHEMA,
  type Frame,
  type MetricValues,
  type ProcessEntry,
  type UseCell,
} from '../../src/model/frame.js';
import { FrameHistory } from '../../src/tui/history.js';
import { historyValues } from '../../src/tui/lists.js';
import { initialState, type UiState } from '../../src/tui/state.js';
import type { ScreenModel } from '../../src/tui/view/model.js';

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

export function proc(pid: number, name: string, extra: Partial<ProcessEntry> = {}): ProcessEntry {
  return {
    pid,
    name,
    cmd: `/usr/bin/${name} --work`,
    user: 'root',
    state: 'R',
    cpu: 0.1,
    rssBytes: 10 << 20,
    threads: 1,
    ...extra,
  };
}

export function cell(
  resource: UseCell['resource'],
  instance: string,
  dimension: UseCell['dimension'],
  rest: Partial<UseCell>,
): UseCell {
  return { resource, instance, dimension, status: 'ok', ...rest };
}

export const stress = proc(4213, 'stress-ng-cpu', { cpu: 0.98, readBps: 0, writeBps: 0, runDelay: 1.2, fds: 5 });

export const cpuFinding: Finding = {
  id: 'cpu.saturation.runqueue@',
  rule: 'cpu.saturation.runqueue',
  resource: 'cpu',
  dimension: 'saturation',
  instance: '',
  severity: 'critical',
  state: 'firing',
  summary: 'run queue 2.4 per CPU (threshold 2)',
  since: T0 - 192_000,
  evidence: { value: 2.4, threshold: 2, windowMs: 10_000, processes: [stress] },
  next: ['mpstat -P ALL 1', 'pidstat -u 1'],
};

export const diskFinding: Finding = {
  id: 'disk.utilization@vda',
  rule: 'disk.utilization',
  resource: 'disk',
  dimension: 'utilization',
  instance: 'vda',
  severity: 'warning',
  state: 'firing',
  summary: 'vda busy 78% of the time (threshold 70%)',
  since: T0 - 30_000,
  evidence: { value: 0.78, threshold: 0.7, windowMs: 30_000, processes: [] },
  next: ['iostat -xz 1'],
};

export const resolvedFinding: Finding = {
  id: 'memory.utilization@',
  rule: 'memory.utilization',
  resource: 'memory',
  dimension: 'utilization',
  instance: '',
  severity: 'warning',
  state: 'resolved',
  summary: 'memory 91% used (threshold 90%)',
  since: T0 - 600_000,
  resolvedAt: T0 - 120_000,
  evidence: { value: 0.91, threshold: 0.9, windowMs: 60_000, processes: [] },
  next: [],
};

export function frame(seq: number, overrides: Partial<Frame> = {}): Frame {
  return {
    schema: FRAME_SCHEMA,
    seq,
    ts: T0 + seq * 1000,
    intervalMs: seq === 0 ? 0 : 1000,
    host: { hostname: 'web-1', kernel: '6.1.0-28-amd64', cpus: 2, uptimeSeconds: 273_600, agentVersion: '0.1.0' },
    metrics: {
      'cpu.load1': { '': 3.1 },
      'cpu.load5': { '': 1.2 },
      'cpu.load15': { '': 0.8 },
      'cpu.utilization': { '': 0.97 },
      'cpu.core_utilization': { cpu0: 0.99, cpu1: 0.95 },
    },
    use: [
      cell('cpu', '', 'utilization', { status: 'critical', metric: 'cpu.utilization', value: 0.97, unit: 'ratio' }),
      cell('cpu', '', 'saturation', { status: 'critical', metric: 'cpu.runqueue_per_cpu', value: 2.4, unit: 'ratio' }),
      cell('cpu', '', 'errors', { status: 'gap', reason: 'CPU errors need MCE/EDAC counters' }),
      cell('memory', '', 'utilization', { status: 'ok', metric: 'memory.utilization', value: 0.42, unit: 'ratio' }),
      cell('memory', '', 'saturation', { status: 'unknown', metric: 'memory.psi_some', reason: 'PSI disabled' }),
      cell('disk', 'vda', 'utilization', { status: 'warning', metric: 'disk.utilization', value: 0.78, unit: 'ratio' }),
      cell('network', 'eth0', 'utilization', { status: 'ok', metric: 'net.rx_bps', value: 1.5e6, unit: 'bits_per_s' }),
      cell('filesystem', '/', 'utilization', { status: 'ok', metric: 'fs.utilization', value: 0.35, unit: 'ratio' }),
    ],
    findings: [diskFinding, resolvedFinding, cpuFinding],
    events: [],
    processes: [
      stress,
      proc(812, 'postgres', { cpu: 0.05, rssBytes: 900 << 20, readBps: 5e6, writeBps: 1e6, fds: 300 }),
      proc(77, 'kworker/u4:2', { cmd: '', state: 'D', cpu: 0, rssBytes: 0 }),
    ],
    kernelEvents: [],
    sources: [],
    self: { tickMs: 3, tickCpuMs: 2, collectors: [], skippedTicks: 0, rssBytes: 40 << 20 },
    ...overrides,
  };
}

/** A screen model over the given frames, the last one shown, with their history recorded. */
export function model(frames: Frame[], ui: Partial<UiState> = {}, extra: Partial<ScreenModel> = {}): ScreenModel {
  const history = new FrameHistory(historyValues);
  for (const f of frames) history.push(f);
  return {
    ui: { ...initialState, ...ui },
    frame: frames.at(-1),
    history,
    source: { kind: 'local', label: 'local' },
    intervalMs: 1000,
    missed: 0,
    ...extra,
  };
}

export const plain = { cols: 120, rows: 40, color: false, unicode: true };

const MIB = 1 << 20;

/** A systemd service with every limit, a docker container, and a pod's container without limits. */
export const nginx: CgroupEntry = {
  id: '/system.slice/nginx.service',
  name: 'nginx.service',
  kind: 'service',
  runtime: 'systemd',
  cpuLimit: 2,
  memoryMaxBytes: 512 * MIB,
  memoryHighBytes: 400 * MIB,
  pidsMax: 100,
  processes: 3,
};
export const web: CgroupEntry = {
  id: '/system.slice/docker-0f3a9c.scope',
  name: 'web',
  kind: 'container',
  runtime: 'docker',
  container: 'web',
  cpuLimit: 1,
  memoryMaxBytes: 256 * MIB,
};
export const cart: CgroupEntry = {
  id: '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/cri-containerd-ff.scope',
  name: 'shop/cart-7d/cart',
  kind: 'container',
  runtime: 'kubernetes',
  namespace: 'shop',
  pod: 'cart-7d',
  container: 'cart',
};

/** Per cgroup: metric → value. Sorted by cpu web, nginx, cart; by memory cart, web, nginx; by io cart, web, nginx; by pressure web, cart, nginx; by throttling web, nginx, cart. */
const CGROUP_VALUES: Record<string, Record<string, number>> = {
  [nginx.id]: {
    'cgroup.cpu.usage': 0.5,
    'cgroup.cpu.utilization': 0.25,
    'cgroup.cpu.throttled': 0.05,
    'cgroup.cpu.pressure': 0.02,
    'cgroup.memory.used': 150 * MIB,
    'cgroup.memory.working_set': 100 * MIB,
    'cgroup.memory.utilization': 0.25,
    'cgroup.memory.pressure': 0,
    'cgroup.memory.high_events': 0,
    'cgroup.memory.max_events': 0,
    'cgroup.memory.oom_kills': 0,
    'cgroup.io.read_bps': MIB,
    'cgroup.io.write_bps': 0,
    'cgroup.io.pressure': 0.01,
    'cgroup.pids.current': 12,
    'cgroup.pids.utilization': 0.12,
    'cgroup.pids.fork_failures': 0,
  },
  [web.id]: {
    'cgroup.cpu.usage': 0.98,
    'cgroup.cpu.utilization': 0.98,
    'cgroup.cpu.throttled': 0.6,
    'cgroup.cpu.throttled_time': 0.4,
    'cgroup.cpu.pressure': 0.4,
    'cgroup.memory.used': 255 * MIB,
    'cgroup.memory.working_set': 250 * MIB,
    'cgroup.memory.utilization': 250 / 256,
    'cgroup.memory.pressure': 0.2,
    'cgroup.memory.high_events': 0,
    'cgroup.memory.max_events': 7,
    'cgroup.memory.oom_kills': 1,
    'cgroup.io.read_bps': 0,
    'cgroup.io.write_bps': 5 * MIB,
    'cgroup.io.pressure': 0.05,
    'cgroup.pids.current': 40,
  },
  [cart.id]: {
    'cgroup.cpu.usage': 0.1,
    'cgroup.cpu.utilization': 0.05,
    'cgroup.cpu.throttled': 0,
    'cgroup.memory.working_set': 900 * MIB,
    'cgroup.io.read_bps': 20 * MIB,
    'cgroup.io.pressure': 0.3,
    'cgroup.pids.current': 7,
  },
};

export function cgroupMetrics(values: Record<string, Record<string, number>> = CGROUP_VALUES): MetricValues {
  const metrics: MetricValues = {};
  for (const [id, byMetric] of Object.entries(values)) {
    for (const [name, value] of Object.entries(byMetric)) {
      metrics[name] ??= {};
      metrics[name][id] = value;
    }
  }
  return metrics;
}

export const throttledFinding: Finding = {
  id: `cgroup.cpu.throttled@${web.id}`,
  rule: 'cgroup.cpu.throttled',
  resource: 'cpu',
  dimension: 'saturation',
  instance: web.id,
  severity: 'critical',
  state: 'firing',
  summary: 'web throttled in 60% of CPU periods (threshold 25%)',
  since: T0 - 20_000,
  evidence: { value: 0.6, threshold: 0.25, windowMs: 20_000, unit: 'ratio', processes: [stress] },
  next: ['systemctl status'],
};

/** The stress worker in the web container, postgres in a service that is not carried, a kernel thread in none. */
export const cgroupProcesses: ProcessEntry[] = [
  { ...stress, cgroup: web.id },
  proc(812, 'postgres', { cpu: 0.05, rssBytes: 900 << 20, cgroup: '/system.slice/postgresql@15-main.service' }),
  proc(77, 'kworker/u4:2', { cmd: '', state: 'I', cpu: 0, rssBytes: 0 }),
];

/** The default frame with three carried cgroups, their metrics, processes in them and a finding on one. */
export function cgroupFrame(seq: number, overrides: Partial<Frame> = {}): Frame {
  const base = frame(seq);
  return {
    ...base,
    metrics: { ...base.metrics, ...cgroupMetrics() },
    cgroups: [nginx, web, cart],
    processes: cgroupProcesses,
    findings: [...base.findings, throttledFinding],
    ...overrides,
  };
}
