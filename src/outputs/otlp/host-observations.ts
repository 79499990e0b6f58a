import type { CpuTimes } from '../../../collectors/cpu.js';
import type { Counter } from '../../../collectors/types.js';
import type { Frame } from '../../model/frame.js';
import type { RawSamples } from '../../pipeline/families.js';

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

const USER_HZ = 100;
const SECTOR_BYTES = 512;

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
];

const STATUS_CODE = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

function n(c: Counter): number {
  return typeof c === 'number' ? c : Number(c);
}

const CPU_MODE_NAMES: readonly [keyof CpuTimes, string][] = [
  ['user', 'user'],
  ['nice', 'nice'],
  ['system', 'system'],
  ['idle', 'idle'],
  ['iowait', 'iowait'],
  ['irq', 'interrupt'],
  ['softirq', 'softirq'],
  ['steal', 'steal'],
];

/** Every observation of a frame; an absent family simply contributes nothing. */
export function observeFrame(frame: Frame): Observation[] {
  const raw = (frame.raw ?? {}) as RawSamples;
  const out: Observation[] = [];
  const push = (name: string, value: number | undefined, attributes: Record<string, string | number> = {}) => {
    if (value !== undefined && Number.isFinite(value)) out.push({ name, value, attributes });
  };

  for (const [cpu, times] of raw.cpu?.stat.cpus ?? []) {
    const logical = Number(cpu.slice(3));
    for (const [field, mode] of CPU_MODE_NAMES) {
      push('system.cpu.time', times[field] / USER_HZ, { 'cpu.logical_number': logical, 'cpu.mode': mode });
    }
  }
  for (const [cpu, value] of Object.entries(frame.metrics['cpu.core_utilization'] ?? {})) {
    push('system.cpu.utilization', value, { 'cpu.logical_number': Number(cpu.slice(3)) });
  }
  const load = raw.cpu?.loadavg;
  push('system.cpu.load_average.1m', load?.load1);
  push('system.cpu.load_average.5m', load?.load5);
  push('system.cpu.load_average.15m', load?.load15);

  const mem = raw.memory?.meminfo;
  if (mem) {
    const total = mem.get('MemTotal');
    const free = mem.get('MemFree');
    const buffers = mem.get('Buffers');
    const cached = mem.get('Cached');
    const available = mem.get('MemAvailable');
    const used = total !== undefined && available !== undefined ? total - available : undefined;
    const states: [string, number | undefined][] = [
      ['used', used],
      ['free', free],
      ['buffers', buffers],
      ['cached', cached],
    ];
    for (const [state, value] of states) {
      push('system.memory.usage', value, { 'system.memory.state': state });
      if (total)
        push('system.memory.utilization', value === undefined ? undefined : value / total, {
          'system.memory.state': state,
        });
    }
  }

  for (const [device, d] of raw.disk?.devices ?? []) {
    const s = d.stats;
    for (const [direction, bytes, ops, ms] of [
      ['read', s.sectorsRead, s.reads, s.readMs],
      ['write', s.sectorsWritten, s.writes, s.writeMs],
    ] as const) {
      const attrs = { 'system.device': device, 'disk.io.direction': direction };
      push('system.disk.io', n(bytes) * SECTOR_BYTES, attrs);
      push('system.disk.operations', n(ops), attrs);
      push('system.disk.operation_time', n(ms) / 1000, attrs);
    }
    push('system.disk.io_time', n(s.ioMs) / 1000, { 'system.device': device });
    push('system.disk.weighted_io_time', n(s.weightedMs) / 1000, { 'system.device': device });
    push('system.disk.pending_operations', s.inflight, { 'system.device': device });
  }

  for (const [iface, { counters: c }] of raw.network?.interfaces ?? []) {
    for (const [direction, bytes, packets, errors, dropped] of [
      ['receive', c.rxBytes, c.rxPackets, c.rxErrs, c.rxDrop],
      ['transmit', c.txBytes, c.txPackets, c.txErrs, c.txDrop],
    ] as const) {
      const attrs = { 'network.interface.name': iface, 'network.io.direction': direction };
      push('system.network.io', n(bytes), attrs);
      push('system.network.packets', n(packets), attrs);
      push('system.network.errors', n(errors), attrs);
      push('system.network.dropped', n(dropped), attrs);
    }
  }

  for (const [mountPoint, m] of raw.filesystem?.mounts ?? []) {
    const st = m.stats;
    if (!st) continue;
    const base = {
      'system.device': m.source,
      'system.filesystem.mountpoint': mountPoint,
      'system.filesystem.type': m.fstype,
    };
    const used = (st.blocks - st.bfree) * st.bsize;
    const free = st.bavail * st.bsize;
    const reserved = (st.bfree - st.bavail) * st.bsize;
    push('system.filesystem.usage', used, { ...base, 'system.filesystem.state': 'used' });
    push('system.filesystem.usage', free, { ...base, 'system.filesystem.state': 'free' });
    push('system.filesystem.usage', reserved, { ...base, 'system.filesystem.state': 'reserved' });
    if (used + free > 0) push('system.filesystem.utilization', used / (used + free), base);
  }

  for (const [resource, pressure] of Object.entries(raw.pressure ?? {})) {
    for (const level of ['some', 'full'] as const) {
      const line = pressure?.[level];
      if (line) push('system.linux.pressure.stall_time', n(line.totalUs) / 1e6, { resource, level });
    }
  }

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
  return out;
}
