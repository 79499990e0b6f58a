import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../bench/free-port.js';
import { type PanelQuery, QUERIES, VARIABLE_QUERIES } from '../../dashboards/queries.js';
import { type AgentProcess, notBuiltReason, startAgentProcess, stopProcess, waitFor } from './agent-process.js';

/**
 * node_exporter parity for the node-mixin's dashboards (Nodes, USE Method / Node, USE Method /
 * Cluster) and rules, and the shipped USE dashboard's panels: two agents scraped every second by a
 * real Prometheus, under job="node" and a `cluster` target label as the mixin's selectors expect.
 * Every metric, label and selector those dashboards and rules read (docs/fleet.md lists them) is
 * queried here with queries of our own, and each must return data of the right shape for both hosts.
 * The scrape budget against node_exporter on the same host is checked at the end.
 */
const missing = ['prometheus', 'prometheus-node-exporter'].find((b) => spawnSync(b, ['--version']).error);
const skipReason = notBuiltReason ?? (missing ? `${missing} is not installed` : undefined);
if (skipReason) console.log(`skipped: ${skipReason}`);

/** The USE recording rules of node-mixin, with a 15 s rate window (its rateInterval) for a 1 s scrape. */
const RULES = `groups:
  - name: node-mixin-use
    rules:
      - record: instance:node_num_cpu:sum
        expr: count without (cpu, mode) (node_cpu_seconds_total{job="node", mode="idle"})
      - record: instance:node_cpu_utilisation:rate15s
        expr: 1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{job="node", mode=~"idle|iowait|steal"}[15s])))
      - record: instance:node_load1_per_cpu:ratio
        expr: node_load1{job="node"} / instance:node_num_cpu:sum{job="node"}
      - record: instance:node_memory_utilisation:ratio
        expr: 1 - (node_memory_MemAvailable_bytes{job="node"} or (node_memory_Buffers_bytes{job="node"} + node_memory_Cached_bytes{job="node"} + node_memory_MemFree_bytes{job="node"} + node_memory_Slab_bytes{job="node"})) / node_memory_MemTotal_bytes{job="node"}
      - record: instance:node_vmstat_pgmajfault:rate15s
        expr: rate(node_vmstat_pgmajfault{job="node"}[15s])
      - record: instance_device:node_disk_io_time_seconds:rate15s
        expr: rate(node_disk_io_time_seconds_total{job="node", device!=""}[15s])
      - record: instance_device:node_disk_io_time_weighted_seconds:rate15s
        expr: rate(node_disk_io_time_weighted_seconds_total{job="node", device!=""}[15s])
      - record: instance:node_network_receive_bytes_excluding_lo:rate15s
        expr: sum without (device) (rate(node_network_receive_bytes_total{job="node", device!="lo"}[15s]))
      - record: instance:node_network_transmit_bytes_excluding_lo:rate15s
        expr: sum without (device) (rate(node_network_transmit_bytes_total{job="node", device!="lo"}[15s]))
      - record: instance:node_network_receive_drop_excluding_lo:rate15s
        expr: sum without (device) (rate(node_network_receive_drop_total{job="node", device!="lo"}[15s]))
      - record: instance:node_network_transmit_drop_excluding_lo:rate15s
        expr: sum without (device) (rate(node_network_transmit_drop_total{job="node", device!="lo"}[15s]))
`;

/** A checklist under which one agent raises a memory finding at once, for the findings panel. */
const FIRING_CHECKLIST = `overrides:
  - rule: memory.utilization
    warn: 0.1%
    crit: 99.99%
    clear: 0.05%
    for: 0s
`;

interface Fact {
  expr: string;
  /** Labels every series carries. */
  labels?: readonly string[];
  values?: readonly [number, number];
}

const NOW = () => Date.now() / 1000;
const BIG = Number.MAX_SAFE_INTEGER;

/** What the mixin's dashboards, recording rules and alerts read, per host (`$i` is the host's instance). */
const FACTS: Record<string, Fact> = {
  // Nodes and USE / Node pick hosts by node_uname_info (sysname tells Linux from Darwin), and show it and node_os_info.
  uname: {
    expr: 'node_uname_info{job="node", sysname!="Darwin", instance="$i"}',
    labels: ['nodename', 'sysname', 'release', 'version', 'machine', 'domainname'],
    values: [1, 1],
  },
  osInfo: {
    expr: 'node_os_info{job="node", instance="$i"}',
    labels: ['id', 'name', 'pretty_name', 'version_id'],
    values: [1, 1],
  },
  // USE / Cluster picks clusters by node_time_seconds's cluster label.
  time: { expr: 'node_time_seconds{job="node", cluster="test", instance="$i"}', values: [NOW() - 120, NOW() + 120] },
  uptime: { expr: 'time() - node_boot_time_seconds{job="node", instance="$i"}', values: [1, 10 * 365 * 86400] },
  cpuCount: {
    expr: 'count by (instance) (node_cpu_seconds_total{job="node", mode="idle", instance="$i"})',
    values: [1, 4096],
  },
  cpuBusyPerCpu: {
    expr: '1 - sum without (mode) (rate(node_cpu_seconds_total{job="node", mode=~"idle|iowait|steal", instance="$i"}[15s]))',
    labels: ['cpu'],
    values: [-0.1, 1.1],
  },
  load1: { expr: 'node_load1{job="node", instance="$i"}', values: [0, BIG] },
  load5: { expr: 'node_load5{job="node", instance="$i"}', values: [0, BIG] },
  load15: { expr: 'node_load15{job="node", instance="$i"}', values: [0, BIG] },
  memoryUsed: {
    expr: 'node_memory_MemTotal_bytes{job="node", instance="$i"} - node_memory_MemFree_bytes{job="node", instance="$i"} - node_memory_Buffers_bytes{job="node", instance="$i"} - node_memory_Cached_bytes{job="node", instance="$i"}',
    values: [0, BIG],
  },
  memoryAvailableShare: {
    expr: 'avg by (instance) (node_memory_MemAvailable_bytes{job="node", instance="$i"}) / avg by (instance) (node_memory_MemTotal_bytes{job="node", instance="$i"})',
    values: [0, 1],
  },
  swapTotal: { expr: 'node_memory_SwapTotal_bytes{job="node", instance="$i"}', values: [0, BIG] },
  slab: { expr: 'node_memory_Slab_bytes{job="node", instance="$i"}', values: [0, BIG] },
  majorFaults: { expr: 'rate(node_vmstat_pgmajfault{job="node", instance="$i"}[15s])', values: [0, BIG] },
  diskRead: {
    expr: 'rate(node_disk_read_bytes_total{job="node", device!="", instance="$i"}[15s])',
    labels: ['device'],
    values: [0, BIG],
  },
  diskWritten: {
    expr: 'rate(node_disk_written_bytes_total{job="node", device!="", instance="$i"}[15s])',
    labels: ['device'],
    values: [0, BIG],
  },
  diskIoTime: {
    expr: 'rate(node_disk_io_time_seconds_total{job="node", device!="", instance="$i"}[15s])',
    labels: ['device'],
    values: [0, 1.1],
  },
  diskWeighted: {
    expr: 'rate(node_disk_io_time_weighted_seconds_total{job="node", device!="", instance="$i"}[15s])',
    labels: ['device'],
    values: [0, BIG],
  },
  disks: { expr: 'count by (instance) (node_disk_io_now{job="node", instance="$i"})', values: [1, BIG] },
  fsUsedShare: {
    expr: '1 - max by (instance, device, fstype) (node_filesystem_avail_bytes{job="node", fstype!="", mountpoint!="", instance="$i"}) / max by (instance, device, fstype) (node_filesystem_size_bytes{job="node", fstype!="", mountpoint!="", instance="$i"})',
    labels: ['device', 'fstype'],
    values: [0, 1],
  },
  fsRoot: {
    expr: 'node_filesystem_size_bytes{job="node", mountpoint="/", fstype!="rootfs", instance="$i"}',
    labels: ['device', 'fstype'],
    values: [1, BIG],
  },
  fsReadonly: {
    expr: 'node_filesystem_readonly{job="node", fstype!="", mountpoint!="", instance="$i"}',
    labels: ['device', 'fstype', 'mountpoint'],
    values: [0, 1],
  },
  fsFilesFree: {
    expr: 'node_filesystem_files_free{job="node", fstype!="", mountpoint!="", instance="$i"} / node_filesystem_files{job="node", fstype!="", mountpoint!="", instance="$i"} > -1',
    labels: ['device', 'fstype', 'mountpoint'],
    values: [0, 1],
  },
  netReceiveBits: {
    expr: 'irate(node_network_receive_bytes_total{job="node", device!="lo", instance="$i"}[15s]) * 8',
    labels: ['device'],
    values: [0, BIG],
  },
  netTransmitBits: {
    expr: 'irate(node_network_transmit_bytes_total{job="node", device!="lo", instance="$i"}[15s]) * 8',
    labels: ['device'],
    values: [0, BIG],
  },
  netErrors: {
    expr: 'rate(node_network_receive_errs_total{job="node", instance="$i"}[15s]) + rate(node_network_transmit_errs_total{job="node", instance="$i"}[15s])',
    labels: ['device'],
    values: [0, BIG],
  },
  netDrops: {
    expr: 'irate(node_network_receive_drop_total{job="node", instance="$i"}[15s]) + irate(node_network_transmit_drop_total{job="node", instance="$i"}[15s])',
    labels: ['device'],
    values: [0, BIG],
  },
  netPackets: {
    expr: 'rate(node_network_receive_packets_total{job="node", instance="$i"}[15s]) + rate(node_network_transmit_packets_total{job="node", instance="$i"}[15s])',
    labels: ['device'],
    values: [0, BIG],
  },
  fileDescriptors: {
    expr: 'node_filefd_allocated{job="node", instance="$i"} / node_filefd_maximum{job="node", instance="$i"}',
    values: [0, 1],
  },
  // The USE dashboards read the recording rules, by host and by device.
  ruleCpu: {
    expr: 'instance:node_cpu_utilisation:rate15s{job="node", cluster="test", instance="$i"}',
    values: [-0.1, 1.1],
  },
  ruleCpuShare: {
    expr: '(instance:node_cpu_utilisation:rate15s{job="node", instance="$i"} * instance:node_num_cpu:sum{job="node", instance="$i"}) / scalar(sum(instance:node_num_cpu:sum{job="node"}))',
    values: [-0.1, 1.1],
  },
  ruleLoad: { expr: 'instance:node_load1_per_cpu:ratio{job="node", instance="$i"}', values: [0, BIG] },
  ruleMemory: {
    expr: 'instance:node_memory_utilisation:ratio{job="node", cluster="test", instance="$i"}',
    values: [0, 1],
  },
  ruleMajorFaults: { expr: 'instance:node_vmstat_pgmajfault:rate15s{job="node", instance="$i"}', values: [0, BIG] },
  ruleDiskUtil: {
    expr: 'instance_device:node_disk_io_time_seconds:rate15s{job="node", instance="$i"}',
    labels: ['device'],
    values: [0, 1.1],
  },
  ruleDiskSat: {
    expr: 'instance_device:node_disk_io_time_weighted_seconds:rate15s{job="node", instance="$i"}',
    labels: ['device'],
    values: [0, BIG],
  },
  ruleNetRx: {
    expr: 'instance:node_network_receive_bytes_excluding_lo:rate15s{job="node", instance="$i"}',
    values: [0, BIG],
  },
  ruleNetTx: {
    expr: 'instance:node_network_transmit_bytes_excluding_lo:rate15s{job="node", instance="$i"}',
    values: [0, BIG],
  },
  ruleNetRxDrop: {
    expr: 'instance:node_network_receive_drop_excluding_lo:rate15s{job="node", instance="$i"}',
    values: [0, BIG],
  },
  ruleNetTxDrop: {
    expr: 'instance:node_network_transmit_drop_excluding_lo:rate15s{job="node", instance="$i"}',
    values: [0, BIG],
  },
};

interface Series {
  metric: Record<string, string>;
  values: number[];
}

describe.skipIf(skipReason !== undefined)('node-mixin parity and the USE dashboard, in a real Prometheus', () => {
  let dir: string;
  const agents: AgentProcess[] = [];
  let prometheus: ChildProcess | undefined;
  let nodeExporter: ChildProcess | undefined;
  let promPort: number;
  let nodeExporterPort: number;
  let hosts: string[] = [];

  async function api(path: string, params: Record<string, string>) {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; error?: string; data: unknown };
    if (body.status !== 'success') throw new Error(`${params.query ?? path}: ${body.error}`);
    return body.data;
  }

  async function instant(expr: string): Promise<Series[]> {
    const data = (await api('query', { query: expr })) as {
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
    return data.result.map((r) => ({ metric: r.metric, values: [Number(r.value[1])] }));
  }

  async function range(expr: string): Promise<Series[]> {
    const end = NOW();
    const data = (await api('query_range', { query: expr, start: String(end - 30), end: String(end), step: '1' })) as {
      result: { metric: Record<string, string>; values: [number, string][] }[];
    };
    return data.result.map((r) => ({ metric: r.metric, values: r.values.map((v) => Number(v[1])) }));
  }

  /** The result once it is not empty (a rate needs two samples in its window, a rule one evaluation). */
  function resultOf(expr: string, read: (e: string) => Promise<Series[]> = instant) {
    return waitFor(expr, 30_000, async () => {
      const r = await read(expr);
      return r.length > 0 ? r : undefined;
    });
  }

  function expectValues(series: Series[], bounds: readonly [number, number] | undefined, what: string) {
    for (const s of series) {
      for (const v of s.values) {
        expect(Number.isFinite(v), `${what} ${JSON.stringify(s.metric)}`).toBe(true);
        if (bounds) {
          expect(v, `${what} ${JSON.stringify(s.metric)}`).toBeGreaterThanOrEqual(bounds[0]);
          expect(v, `${what} ${JSON.stringify(s.metric)}`).toBeLessThanOrEqual(bounds[1]);
        }
      }
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'usewatch-e2e-mixin-'));
    const checklist = join(dir, 'firing.yaml');
    await writeFile(checklist, FIRING_CHECKLIST);
    agents.push(await startAgentProcess(['--interval', '1s', '--checklist', checklist]));
    agents.push(await startAgentProcess(['--interval', '1s']));
    hosts = agents.map((a) => new URL(a.url).host);
    promPort = await freePort();
    nodeExporterPort = await freePort();
    nodeExporter = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nodeExporterPort}`], {
      stdio: 'ignore',
    });
    await writeFile(join(dir, 'rules.yml'), RULES);
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'rule_files: [rules.yml]',
        'scrape_configs:',
        '  - job_name: node',
        '    static_configs:',
        `      - targets: [${hosts.map((h) => `'${h}'`).join(', ')}]`,
        '        labels: { cluster: test }',
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    await waitFor('both targets up', 30_000, async () => {
      const up = await instant('up{job="node"} == 1');
      return up.length === 2 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stopProcess(prometheus), stopProcess(nodeExporter), ...agents.map((a) => stopProcess(a.child))]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the hosts are listed as the dashboards list them: label values of node_uname_info and node_time_seconds', async () => {
    const instances = await waitFor('two hosts', 20_000, async () => {
      const v = (await api('label/instance/values', {
        'match[]': 'node_uname_info{job="node", sysname!="Darwin"}',
      })) as string[];
      return v.length === 2 ? v : undefined;
    });
    expect(instances.sort()).toEqual([...hosts].sort());
    expect(await api('label/cluster/values', { 'match[]': 'node_time_seconds' })).toEqual(['test']);
  });

  test.each(Object.entries(FACTS))(
    '%s returns, for each host, series of the right shape',
    async (name, fact) => {
      for (const host of hosts) {
        const series = await resultOf(fact.expr.replaceAll('$i', host));
        for (const s of series) {
          for (const label of fact.labels ?? []) expect(s.metric, `${name} on ${host}: ${label}`).toHaveProperty(label);
        }
        expectValues(series, fact.values, `${name} on ${host}`);
      }
    },
    60_000,
  );

  /** A dashboard query with its variables given values: every job, and one or every host. */
  function withVariables(q: PanelQuery, host: string): string {
    return q.expr.replaceAll('$job', 'node').replaceAll('$host', host);
  }

  test.each(Object.entries(QUERIES))(
    'USE dashboard panel %s returns data of its shape',
    async (name, q: PanelQuery) => {
      const all = await resultOf(withVariables(q, '.+'), q.instant ? instant : range);
      for (const s of all) {
        const labels = Object.keys(s.metric);
        for (const label of q.shape.labels) expect(labels, `${name}: ${label}`).toContain(label);
        for (const label of labels) expect([...q.shape.labels, ...(q.shape.optional ?? [])], name).toContain(label);
      }
      expectValues(all, q.shape.values, name);
      if (q.shape.labels.includes('instance')) {
        const seen = new Set(all.map((s) => s.metric.instance));
        // Both hosts, or for the findings at least the one whose checklist raises a finding at once
        // (the other's default checklist may raise one too on a busy machine).
        if (name === 'activeFindings') expect(seen.has(hosts[0]), name).toBe(true);
        else expect([...seen].sort(), name).toEqual([...hosts].sort());
      }
      const one = await resultOf(withVariables(q, hosts[0]), q.instant ? instant : range);
      for (const s of one) if (s.metric.instance) expect(s.metric.instance).toBe(hosts[0]);
    },
    60_000,
  );

  test('the USE matrix has a cell per host and resource, and the firing finding names its rule', async () => {
    const matrix = await resultOf(withVariables(QUERIES.useMatrix, '.+'));
    const resources = new Set(matrix.map((s) => s.metric.resource));
    for (const r of ['cpu', 'memory', 'disk', 'network']) expect(resources.has(r), r).toBe(true);
    expect(matrix).toHaveLength(2 * resources.size);
    const memoryCell = matrix.find((s) => s.metric.instance === hosts[0] && s.metric.resource === 'memory');
    expect(memoryCell?.values[0]).toBe(1);
    const findings = await resultOf(withVariables(QUERIES.activeFindings, '.+'));
    expect(findings.map((f) => [f.metric.instance, f.metric.rule, f.values[0]])).toContainEqual([
      hosts[0],
      'memory.utilization',
      1,
    ]);
  }, 40_000);

  test('the dashboard variables list the job and both hosts', async () => {
    const job = VARIABLE_QUERIES.job.match(/^label_values\((.+), (\w+)\)$/)!;
    expect(await api(`label/${job[2]}/values`, { 'match[]': job[1] })).toEqual(['node']);
    const host = VARIABLE_QUERIES.host.replaceAll('$job', 'node').match(/^label_values\((.+), (\w+)\)$/)!;
    expect(((await api(`label/${host[2]}/values`, { 'match[]': host[1] })) as string[]).sort()).toEqual(
      [...hosts].sort(),
    );
  });

  test('budget: no more series than node_exporter on this host besides usewatch_*, and fewer gzip bytes', async () => {
    const scrape = (url: string) =>
      new Promise<{ text: string; encoding?: string; wire: number }>((resolve, reject) => {
        get(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const encoding = res.headers['content-encoding'];
            resolve({
              text: (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'),
              encoding,
              wire: raw.length,
            });
          });
        }).on('error', reject);
      });
    const ours = await scrape(`${agents[1].url}/metrics`);
    const theirs = await waitFor('node_exporter', 10_000, () => scrape(`http://127.0.0.1:${nodeExporterPort}/metrics`));
    expect(ours.encoding).toBe('gzip');
    expect(theirs.encoding).toBe('gzip');
    const series = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const ourSeries = series(ours.text);
    const own = ourSeries.filter((l) => l.startsWith('usewatch_'));
    console.log(
      `series: usewatch ${ourSeries.length} (${own.length} usewatch_*), node_exporter ${series(theirs.text).length}; ` +
        `gzip bytes: usewatch ${ours.wire}, node_exporter ${theirs.wire}`,
    );
    expect(ourSeries.length - own.length).toBeLessThanOrEqual(series(theirs.text).length);
    expect(ours.wire).toBeLessThanOrEqual(theirs.wire);
  });
});
