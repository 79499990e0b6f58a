import { beforeAll, describe, expect, test } from 'vitest';
import type { Finding, Frame, UseCell } from '../../../src/model/frame.js';
import { createPrometheusExporter } from '../../../src/outputs/prometheus/exporter.js';
import { meminfoMetricName } from '../../../src/outputs/prometheus/node.js';
import { Engine } from '../../../src/pipeline/engine.js';
import { countOpenFds } from '../../../src/self/open-fds.js';
import { type ExpoSample, find, parseExposition } from './exposition.js';

let frame: Frame;

beforeAll(async () => {
  const engine = new Engine({ root: 'test/fixtures/host', intervalMs: 1000 });
  await engine.tick();
  frame = await engine.tick();
  engine.close();
});

async function scrape(f: Frame | undefined, opts: { topProcesses?: number } = {}) {
  const exporter = createPrometheusExporter({
    openFds: countOpenFds,
    latest: () => f,
    version: '9.9.9',
    topProcesses: opts.topProcesses,
    runtime: {
      feed: () => ({ clients: 2, droppedFrames: 7 }),
      http: () => ({ rejectedConnections: 1, clientErrors: 3, unauthorized: 4 }),
    },
  });
  const { contentType, body } = await exporter.render();
  return { contentType, body, ...parseExposition(body) };
}

function only(samples: ExpoSample[], name: string, labels: Record<string, string> = {}): number {
  const found = find(samples, name, labels);
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0].value;
}

describe('node_exporter-compatible families from the raw samples', () => {
  test('text format 0.0.4', async () => {
    expect((await scrape(frame)).contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  test('node_cpu_seconds_total{cpu,mode}: /proc/stat ticks in seconds, the 8 node_exporter modes per CPU', async () => {
    const { samples, types } = await scrape(frame);
    expect(types.get('node_cpu_seconds_total')).toBe('counter');
    expect(only(samples, 'node_cpu_seconds_total', { cpu: '0', mode: 'idle' })).toBe(460.32); // cpu0 idle 46032 ticks
    expect(only(samples, 'node_cpu_seconds_total', { cpu: '1', mode: 'user' })).toBe(28.79);
    const series = find(samples, 'node_cpu_seconds_total');
    expect(series).toHaveLength(16);
    expect(new Set(series.map((s) => Object.keys(s.labels).sort().join()))).toEqual(new Set(['cpu,mode']));
    expect(new Set(series.map((s) => s.labels.mode))).toEqual(
      new Set(['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user']),
    );
  });

  test('memory: node_memory_<Field>_bytes in bytes, HugePages as counts, (anon) spelt _anon', async () => {
    const { samples, types } = await scrape(frame);
    expect(only(samples, 'node_memory_MemTotal_bytes')).toBe(24683656 * 1024);
    expect(only(samples, 'node_memory_MemAvailable_bytes')).toBe(23894360 * 1024);
    expect(only(samples, 'node_memory_Active_anon_bytes')).toBe(5600 * 1024);
    expect(only(samples, 'node_memory_HugePages_Total')).toBe(0);
    expect(types.get('node_memory_MemTotal_bytes')).toBe('gauge');
    expect(meminfoMetricName('Inactive(file)')).toBe('node_memory_Inactive_file_bytes');
  });

  test('load, stat counters and vmstat', async () => {
    const { samples, types } = await scrape(frame);
    expect(only(samples, 'node_load1')).toBe(1.18);
    expect(only(samples, 'node_load15')).toBe(0.21);
    for (const name of ['node_context_switches_total', 'node_intr_total', 'node_forks_total']) {
      expect(types.get(name)).toBe('counter');
      expect(only(samples, name)).toBeGreaterThan(0);
    }
    expect(only(samples, 'node_boot_time_seconds')).toBeGreaterThan(1e9);
    expect(types.get('node_vmstat_pgmajfault')).toBe('untyped');
    expect(only(samples, 'node_vmstat_pgmajfault')).toBeGreaterThanOrEqual(0);
  });

  test('disk: node_disk_*{device} from diskstats, sectors as bytes and ms as seconds; partitions and zram left out', async () => {
    const { samples } = await scrape(frame);
    // vda 29995 6277 1676106 6006 7654 16821 1861592 3824 0 3508 10114 …
    expect(only(samples, 'node_disk_reads_completed_total', { device: 'vda' })).toBe(29995);
    expect(only(samples, 'node_disk_read_bytes_total', { device: 'vda' })).toBe(1676106 * 512);
    expect(only(samples, 'node_disk_read_time_seconds_total', { device: 'vda' })).toBeCloseTo(6.006, 9);
    expect(only(samples, 'node_disk_written_bytes_total', { device: 'vda' })).toBe(1861592 * 512);
    expect(only(samples, 'node_disk_io_now', { device: 'vda' })).toBe(0);
    expect(only(samples, 'node_disk_io_time_seconds_total', { device: 'vda' })).toBeCloseTo(3.508, 9);
    expect(only(samples, 'node_disk_io_time_weighted_seconds_total', { device: 'vda' })).toBeCloseTo(10.114, 9);
    expect(find(samples, 'node_disk_reads_completed_total', { device: 'zram0' })).toEqual([]);
    expect(find(samples, 'node_disk_reads_completed_total', { device: 'loop0' })).toEqual([]);
  });

  test('network: node_network_*_total{device}, netstat fields as node_netstat_<Proto>_<Field>', async () => {
    const { samples, types } = await scrape(frame);
    expect(only(samples, 'node_network_receive_bytes_total', { device: 'lo' })).toBe(3193);
    expect(only(samples, 'node_network_transmit_packets_total', { device: 'lo' })).toBe(29);
    expect(find(samples, 'node_network_receive_drop_total').length).toBeGreaterThan(0);
    expect(only(samples, 'node_netstat_Tcp_RetransSegs')).toBe(0);
    expect(only(samples, 'node_netstat_Tcp_InSegs')).toBe(5117);
    expect(types.get('node_netstat_Tcp_InSegs')).toBe('untyped');
    // node_exporter's default field filter: RtoMin is not exported.
    expect(find(samples, 'node_netstat_Tcp_RtoMin')).toEqual([]);
  });

  test('pressure totals in seconds under node_exporter names, ratios under usewatch_', async () => {
    const { samples } = await scrape(frame);
    expect(only(samples, 'node_pressure_cpu_waiting_seconds_total')).toBeCloseTo(16.122089, 9);
    expect(only(samples, 'usewatch_pressure_ratio', { resource: 'cpu', kind: 'some', window: '10s' })).toBeCloseTo(
      0.173,
      9,
    );
  });

  test('filesystem families carry device, mountpoint and fstype', async () => {
    const { samples } = await scrape(frame);
    for (const s of find(samples, 'node_filesystem_size_bytes')) {
      expect(Object.keys(s.labels).sort()).toEqual(['device', 'fstype', 'mountpoint']);
    }
  });
});

describe("usewatch's own series", () => {
  const cells: UseCell[] = [
    {
      resource: 'cpu',
      instance: '',
      dimension: 'utilization',
      status: 'warning',
      metric: 'cpu.utilization',
      value: 0.93,
    },
    { resource: 'disk', instance: 'vda', dimension: 'errors', status: 'unknown' },
    { resource: 'cpu', instance: '', dimension: 'errors', status: 'gap', reason: 'not measurable' },
  ];
  const finding = (state: Finding['state'], rule: string): Finding => ({
    id: `${rule}@`,
    rule,
    resource: 'cpu',
    dimension: 'utilization',
    instance: '',
    severity: 'warning',
    state,
    summary: '',
    since: 0,
    evidence: { value: 1, threshold: 1, windowMs: 0, processes: [] },
    next: [],
  });

  test('USE cells, active findings, build info and self metrics', async () => {
    const f: Frame = {
      ...frame,
      use: cells,
      findings: [finding('firing', 'cpu.a'), finding('pending', 'cpu.b'), finding('resolved', 'cpu.c')],
    };
    const { samples, types } = await scrape(f);
    expect(
      only(samples, 'usewatch_use_status', { resource: 'cpu', usewatch_instance: '', dimension: 'utilization' }),
    ).toBe(1);
    expect(
      only(samples, 'usewatch_use_status', { resource: 'disk', usewatch_instance: 'vda', dimension: 'errors' }),
    ).toBe(3);
    expect(find(samples, 'usewatch_use_status', { resource: 'cpu', dimension: 'errors' })).toEqual([]);
    expect(only(samples, 'usewatch_use_value', { resource: 'cpu', dimension: 'utilization' })).toBe(0.93);
    expect(find(samples, 'usewatch_finding_active').map((s) => [s.labels.rule, s.value])).toEqual([
      ['cpu.a', 1],
      ['cpu.b', 0],
    ]);
    expect(only(samples, 'usewatch_build_info', { version: '9.9.9' })).toBe(1);
    expect(only(samples, 'usewatch_feed_clients')).toBe(2);
    expect(only(samples, 'usewatch_feed_dropped_frames_total')).toBe(7);
    expect(only(samples, 'usewatch_http_rejected_connections_total')).toBe(1);
    expect(types.get('usewatch_skipped_ticks_total')).toBe('counter');
    expect(find(samples, 'usewatch_collector_success').map((s) => s.labels.collector)).toContain('cpu');
    expect(only(samples, 'usewatch_tick_duration_seconds')).toBeGreaterThan(0);
    expect(only(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(find(samples, 'usewatch_scrape_duration_seconds_count')).toHaveLength(1);
  });

  test('finding series for alerting: one identity without severity or instance, severity and texts beside it', async () => {
    const stress = {
      pid: 4242,
      name: 'stress-ng-cpu',
      cmd: '',
      user: 'root',
      state: 'R',
      cpu: 0.98,
      rssBytes: 0,
      threads: 1,
    };
    const hostile = { ...stress, pid: 7, name: 'evil\x1b[31m\nname' };
    const disk: Finding = {
      ...finding('firing', 'disk.saturation.queue'),
      resource: 'disk',
      dimension: 'saturation',
      instance: 'vda',
      severity: 'critical',
      evidence: {
        value: 12.5,
        threshold: 10,
        windowMs: 0,
        rankedBy: 'cpu',
        processes: [],
        culprits: { ts: 0, processes: [stress, hostile] },
      },
      next: ['iostat -xz 1', 'x'.repeat(400)],
    };
    const { samples, body } = await scrape({ ...frame, findings: [disk, finding('pending', 'cpu.b')] });
    const identity = {
      rule: 'disk.saturation.queue',
      resource: 'disk',
      dimension: 'saturation',
      usewatch_instance: 'vda',
    };
    expect(find(samples, 'usewatch_finding_active', identity)[0].labels).toEqual(identity);
    expect(only(samples, 'usewatch_finding_active', identity)).toBe(1);
    expect(only(samples, 'usewatch_finding_severity', identity)).toBe(2);
    expect(only(samples, 'usewatch_finding_severity', { rule: 'cpu.b' })).toBe(1);
    expect(only(samples, 'usewatch_finding_value', identity)).toBe(12.5);
    expect(only(samples, 'usewatch_finding_threshold', identity)).toBe(10);
    const [info] = find(samples, 'usewatch_finding_info', identity);
    expect(info.value).toBe(1);
    expect(info.labels.culprit).toBe('stress-ng-cpu(4242) cpu 98%, evil?name(7) cpu 98%');
    expect(info.labels.next.startsWith('iostat -xz 1; xxx')).toBe(true);
    expect(Array.from(info.labels.next)).toHaveLength(240);
    expect(info.labels.next.endsWith('…')).toBe(true);
    // A pending finding has no culprits yet: they are taken on the sample it fires.
    expect(find(samples, 'usewatch_finding_info', { rule: 'cpu.b' })[0].labels.culprit).toBe('');
    expect(body).not.toMatch(/usewatch_finding_\w+\{[^}]*\b(instance|job|severity)="/);
  });

  test("an OOM finding without culprit processes names the OOM killer's first victims as its culprit", async () => {
    const victim = (pid: number, name: string) => ({ pid, name, ts: pid });
    const oom = (rule: string, victims: ReturnType<typeof victim>[]): Finding => {
      const f = finding('firing', rule);
      return {
        ...f,
        resource: 'memory',
        dimension: 'errors',
        evidence: { ...f.evidence, rankedBy: 'memory', culprits: { ts: 0, processes: [] }, victims },
      };
    };
    const four = [victim(1, 'a'), victim(2, 'b'), victim(3, 'c'), victim(4, 'd')];
    const { samples } = await scrape({
      ...frame,
      findings: [
        oom('memory.errors.oom_kill', four),
        oom('cgroup.memory.errors.oom_kill', [victim(1234, 'stress-ng-vm')]),
      ],
    });
    const culprit = (rule: string) => find(samples, 'usewatch_finding_info', { rule })[0].labels.culprit;
    expect(culprit('cgroup.memory.errors.oom_kill')).toBe('killed: stress-ng-vm (1234)');
    // the first three, oldest first, and no count of the rest: the label stays put as kills go on
    expect(culprit('memory.errors.oom_kill')).toBe('killed: a (1), b (2), c (3)');
  });

  test('no per-process series unless asked for, then capped', async () => {
    const procs = Array.from({ length: 30 }, (_, i) => ({
      pid: 100 + i,
      name: `p${i}`,
      cmd: '',
      user: 'root',
      state: 'S',
      cpu: i / 100,
      rssBytes: 1000 * i,
      threads: 1,
    }));
    const f: Frame = { ...frame, processes: procs };
    expect((await scrape(f)).samples.filter((s) => 'pid' in s.labels)).toEqual([]);
    const { samples } = await scrape(f, { topProcesses: 3 });
    expect(find(samples, 'usewatch_process_cpu_ratio').map((s) => s.labels.name)).toEqual(['p29', 'p28', 'p27']);
    expect(find(samples, 'usewatch_process_resident_memory_bytes')).toHaveLength(3);
  });

  test('before the first frame: no host series yet, but build info and the process metrics', async () => {
    const { samples } = await scrape(undefined);
    expect(find(samples, 'node_cpu_seconds_total')).toEqual([]);
    expect(find(samples, 'usewatch_use_status')).toEqual([]);
    expect(only(samples, 'usewatch_build_info', { version: '9.9.9' })).toBe(1);
    expect(only(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(only(samples, 'usewatch_feed_clients')).toBe(2);
  });

  test("the agent's CPU time adds up within one scrape: user and system make the total", async () => {
    for (const f of [undefined, frame]) {
      const { samples } = await scrape(f);
      const user = only(samples, 'process_cpu_user_seconds_total');
      const system = only(samples, 'process_cpu_system_seconds_total');
      expect(only(samples, 'process_cpu_seconds_total')).toBeCloseTo(user + system, 9);
    }
  });
});
