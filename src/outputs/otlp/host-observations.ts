import type { MetricName } from '../../catalog/index.js';
import type { CpuTimeMode, HostCounters } from '../../model/counters.js';
import { type Frame, metricInstances } from '../../model/frame.js';
import { CONTAINER_INSTRUMENTS, observeContainers } from './container-observations.js';

/**
 * The OpenTelemetry hostmetrics view of a frame: semantic-convention names, units and attributes,
 * as plain observations. Kept apart from the SDK so it is testable without loading OpenTelemetry.
 */
export type InstrumentKind = 'counter' | 'updown' | 'gauge';

export interface InstrumentDef {
  name: string;
  kind: InstrumentKind;
  unit: string;
  description: string;
}

export interface Observation {
  name: string;
  value: number;
  attributes: Record<string, string | number>;
}

export const INSTRUMENTS: readonly InstrumentDef[] = [
  { name: 'system.cpu.time', kind: 'counter', unit: 's', description: 'CPU time by logical CPU and mode' },
  { name: 'system.cpu.utilization', kind: 'gauge', unit: '1', description: 'CPU busy share by logical CPU' },
  { name: 'system.cpu.load_average.1m', kind: 'gauge', unit: '{thread}', description: 'Load average, 1 minute' },
  { name: 'system.cpu.load_average.5m', kind: 'gauge', unit: '{thread}', description: 'Load average, 5 minutes' },
  { name: 'system.cpu.load_average.15m', kind: 'gauge', unit: '{thread}', description: 'Load average, 15 minutes' },
  { name: 'system.memory.usage', kind: 'updown', unit: 'By', description: 'Memory in use by state' },
  { name: 'system.memory.utilization', kind: 'gauge', unit: '1', description: 'Memory share by state' },
  { name: 'system.disk.io', kind: 'counter', unit: 'By', description: 'Disk bytes transferred' },
  { name: 'system.disk.operations', kind: 'counter', unit: '{operation}', description: 'Disk operations completed' },
  { name: 'system.disk.io_time', kind: 'counter', unit: 's', description: 'Time the disk had I/O in flight' },
  { name: 'system.disk.operation_time', kind: 'counter', unit: 's', description: 'Sum of operation times' },
  { name: 'system.disk.weighted_io_time', kind: 'counter', unit: 's', description: 'Time × queue depth' },
  { name: 'system.disk.pending_operations', kind: 'updown', unit: '{operation}', description: 'I/O in flight' },
  { name: 'system.network.io', kind: 'counter', unit: 'By', description: 'Network bytes transferred' },
  { name: 'system.network.packets', kind: 'counter', unit: '{packet}', description: 'Network packets' },
  { name: 'system.network.errors', kind: 'counter', unit: '{error}', description: 'Network errors' },
  { name: 'system.network.dropped', kind: 'counter', unit: '{packet}', description: 'Network packets dropped' },
  { name: 'system.filesystem.usage', kind: 'updown', unit: 'By', description: 'Filesystem space by state' },
  { name: 'system.filesystem.utilization', kind: 'gauge', unit: '1', description: 'Filesystem space used share' },
  {
    name: 'system.linux.pressure.stall_time',
    kind: 'counter',
    unit: 's',
    description: 'PSI stall time by resource (cpu, memory, io, irq) and level (some, full)',
  },
  {
    name: 'usewatch.use.status',
    kind: 'gauge',
    unit: '1',
    description: 'USE cell status: 0 ok, 1 warning, 2 critical, 3 unknown',
  },
  { name: 'usewatch.use.value', kind: 'gauge', unit: '1', description: 'Value behind a USE cell, in its catalog unit' },
  { name: 'usewatch.finding.active', kind: 'gauge', unit: '1', description: '1 for each pending or firing finding' },
  ...CONTAINER_INSTRUMENTS,
];

const STATUS_CODE = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

const CPU_MODE_NAMES: readonly [CpuTimeMode, string][] = [
  ['user', 'user'],
  ['nice', 'nice'],
  ['system', 'system'],
  ['idle', 'idle'],
  ['iowait', 'iowait'],
  ['irq', 'interrupt'],
  ['softirq', 'softirq'],
  ['steal', 'steal'],
];

export type Attributes = Record<string, string | number>;
/** Records one observation; undefined and non-finite values are left out. */
export type Push = (name: string, value: number | undefined, attributes?: Attributes) => void;

/**
 * Every observation of a frame; an absent family simply contributes nothing. The carried cgroups'
 * container metrics (container-observations.ts) unless `cgroups` is false.
 */
export function observeFrame(frame: Frame, opts: { cgroups?: boolean } = {}): Observation[] {
  const out: Observation[] = [];
  const push: Push = (name, value, attributes = {}) => {
    if (value !== undefined && Number.isFinite(value)) out.push({ name, value, attributes });
  };
  const counters = frame.counters ?? {};
  observeCpu(frame, counters, push);
  observeMemory(frame, push);
  observeDisks(counters, push);
  observeNetwork(counters, push);
  observeFilesystems(counters, push);
  observePressure(counters, push);
  observeUse(frame, push);
  if (opts.cgroups !== false) observeContainers(frame, push);
  return out;
}

function observeCpu(frame: Frame, counters: HostCounters, push: Push): void {
  const table = counters.cpus;
  for (let row = 0; table && row < table.count; row++) {
    const logical = table.logical[row];
    for (const [field, mode] of CPU_MODE_NAMES) {
      push('system.cpu.time', table.seconds(row, field), { 'cpu.logical_number': logical, 'cpu.mode': mode });
    }
  }
  for (const [cpu, value] of Object.entries(metricInstances(frame.metrics, 'cpu.core_utilization') ?? {})) {
    push('system.cpu.utilization', value, { 'cpu.logical_number': Number(cpu.slice(3)) });
  }
  push('system.cpu.load_average.1m', counters.load?.load1);
  push('system.cpu.load_average.5m', counters.load?.load5);
  push('system.cpu.load_average.15m', counters.load?.load15);
}

/**
 * From the memory metrics, so that "used" is the USE cell's: MemTotal − MemAvailable, with derive's
 * fallback for MemAvailable on kernels before 3.14.
 */
function observeMemory(frame: Frame, push: Push): void {
  const bytes = (name: MetricName) => metricInstances(frame.metrics, name)?.[''];
  const total = bytes('memory.total_bytes');
  const states: [string, number | undefined][] = [
    ['used', bytes('memory.used_bytes')],
    ['free', bytes('memory.free_bytes')],
    ['buffers', bytes('memory.buffers_bytes')],
    ['cached', bytes('memory.cached_bytes')],
  ];
  for (const [state, value] of states) {
    push('system.memory.usage', value, { 'system.memory.state': state });
    if (total && value !== undefined)
      push('system.memory.utilization', value / total, { 'system.memory.state': state });
  }
}

function observeDisks(counters: HostCounters, push: Push): void {
  for (const d of counters.disks ?? []) {
    const device = { 'system.device': d.device };
    for (const [direction, bytes, ops, seconds] of [
      ['read', d.readBytes, d.reads, d.readSeconds],
      ['write', d.writtenBytes, d.writes, d.writeSeconds],
    ] as const) {
      const attrs = { ...device, 'disk.io.direction': direction };
      push('system.disk.io', bytes, attrs);
      push('system.disk.operations', ops, attrs);
      push('system.disk.operation_time', seconds, attrs);
    }
    push('system.disk.io_time', d.ioSeconds, device);
    push('system.disk.weighted_io_time', d.weightedIoSeconds, device);
    push('system.disk.pending_operations', d.inflight, device);
  }
}

function observeNetwork(counters: HostCounters, push: Push): void {
  for (const c of counters.network?.interfaces ?? []) {
    for (const [direction, bytes, packets, errors, dropped] of [
      ['receive', c.rxBytes, c.rxPackets, c.rxErrs, c.rxDrop],
      ['transmit', c.txBytes, c.txPackets, c.txErrs, c.txDrop],
    ] as const) {
      const attrs = { 'network.interface.name': c.name, 'network.io.direction': direction };
      push('system.network.io', bytes, attrs);
      push('system.network.packets', packets, attrs);
      push('system.network.errors', errors, attrs);
      push('system.network.dropped', dropped, attrs);
    }
  }
}

/** hostmetrics' three states: used, free to unprivileged users, and the root reserve. */
function observeFilesystems(counters: HostCounters, push: Push): void {
  for (const m of counters.filesystems ?? []) {
    const { sizeBytes, freeBytes, availBytes } = m;
    if (sizeBytes === undefined || freeBytes === undefined || availBytes === undefined) continue;
    const base = {
      'system.device': m.device,
      'system.filesystem.mountpoint': m.mountPoint,
      'system.filesystem.type': m.fstype,
    };
    const used = sizeBytes - freeBytes;
    push('system.filesystem.usage', used, { ...base, 'system.filesystem.state': 'used' });
    push('system.filesystem.usage', availBytes, { ...base, 'system.filesystem.state': 'free' });
    push('system.filesystem.usage', freeBytes - availBytes, { ...base, 'system.filesystem.state': 'reserved' });
    if (used + availBytes > 0) push('system.filesystem.utilization', used / (used + availBytes), base);
  }
}

function observePressure(counters: HostCounters, push: Push): void {
  for (const [resource, pressure] of Object.entries(counters.pressure ?? {})) {
    for (const level of ['some', 'full'] as const) {
      push('system.linux.pressure.stall_time', pressure?.[level]?.totalSeconds, { resource, level });
    }
  }
}

function observeUse(frame: Frame, push: Push): void {
  for (const cell of frame.use) {
    const attrs = { resource: cell.resource, instance: cell.instance, dimension: cell.dimension };
    if (cell.status !== 'gap') push('usewatch.use.status', STATUS_CODE[cell.status], attrs);
    push('usewatch.use.value', cell.value, attrs);
  }
  for (const f of frame.findings) {
    if (f.state === 'resolved') continue;
    push('usewatch.finding.active', 1, {
      rule: f.rule,
      resource: f.resource,
      instance: f.instance,
      severity: f.severity,
    });
  }
}
