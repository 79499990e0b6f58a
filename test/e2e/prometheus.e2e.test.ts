import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../bench/free-port.js';
import { stopProcess, waitFor } from './agent-process.js';

/**
 * The built agent scraped by a real Prometheus every second; the node-mixin USE recording-rule
 * expressions (with a 15 s rate window instead of 5 m) must evaluate in range against it.
 */

const BIN = join(process.cwd(), 'dist/bin/usewatch.js');
const prometheusMissing = spawnSync('prometheus', ['--version']).error !== undefined;
const notBuilt = !existsSync(BIN);
const skipReason = prometheusMissing
  ? 'prometheus is not installed (apt-get install -y prometheus)'
  : notBuilt
    ? 'the agent is not built (npm run build)'
    : undefined;
if (skipReason) console.log(`skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('agent scraped by Prometheus', () => {
  let dir: string;
  let agent: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let agentPort: number;
  let promPort: number;
  let agentLog = '';
  let promLog = '';

  async function query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]> {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The expression's result once it has one (rate() needs two samples in its window). */
  function resultOf(expr: string) {
    return waitFor(expr, 40_000, async () => {
      const r = await query(expr);
      return r.length > 0 ? r : undefined;
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'usewatch-e2e-prom-'));
    agentPort = await freePort();
    promPort = await freePort();
    agent = spawn(process.execPath, [BIN, 'agent', '--listen', `127.0.0.1:${agentPort}`, '--interval', '1s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stdout?.on('data', (c) => {
      agentLog += c;
    });
    agent.stderr?.on('data', (c) => {
      agentLog += c;
    });
    await waitFor('the agent /healthz', 15_000, async () => {
      const r = await fetch(`http://127.0.0.1:${agentPort}/healthz`);
      return r.status === 200 ? true : undefined;
    });

    const config = join(dir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: node',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${agentPort}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (c) => {
      promLog += c;
    });
    prometheus.stderr?.on('data', (c) => {
      promLog += c;
    });
    await waitFor('Prometheus to be ready', 30_000, async () => {
      const r = await fetch(`http://127.0.0.1:${promPort}/-/ready`);
      return r.status === 200 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stopProcess(prometheus), stopProcess(agent)]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the target is up', async () => {
    const up = await waitFor('up == 1', 30_000, async () => {
      const r = await query('up{job="node"}');
      return r[0]?.value === 1 ? r : undefined;
    });
    expect(up).toHaveLength(1);
  });

  // A scrape returns the latest tick's values, so a sample's value can be up to one interval older than
  // its scrape timestamp; over a 15 s window that offset can move a rate by a few percent. The
  // node-mixin expressions assume exact rates, hence the small margin around 0..1.
  const MARGIN = 0.1;

  test('instance:node_cpu_utilisation:rate — 1 - idle/iowait/steal share, within 0..1', async () => {
    const [r] = await resultOf(
      '1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{job="node", mode=~"idle|iowait|steal"}[15s])))',
    );
    expect(r.value).toBeGreaterThanOrEqual(-MARGIN);
    expect(r.value).toBeLessThanOrEqual(1 + MARGIN);
    // The same quantity as a ratio of two rates from the same samples has no such offset.
    const [exact] = await resultOf(
      'sum(rate(node_cpu_seconds_total{job="node", mode!~"idle|iowait|steal"}[15s])) / sum(rate(node_cpu_seconds_total{job="node"}[15s]))',
    );
    expect(exact.value).toBeGreaterThanOrEqual(0);
    expect(exact.value).toBeLessThanOrEqual(1);
  });

  test('instance:node_num_cpu:sum and instance:node_load1_per_cpu:ratio', async () => {
    const [cpus] = await resultOf('count without (cpu, mode) (node_cpu_seconds_total{job="node", mode="idle"})');
    expect(cpus.value).toBeGreaterThanOrEqual(1);
    const [load] = await resultOf(
      'node_load1{job="node"} / on (instance, job) count without (cpu, mode) (node_cpu_seconds_total{job="node", mode="idle"})',
    );
    expect(load.value).toBeGreaterThanOrEqual(0);
  });

  test('instance:node_memory_utilisation:ratio within 0..1', async () => {
    const [r] = await resultOf(
      '1 - (node_memory_MemAvailable_bytes{job="node"} / node_memory_MemTotal_bytes{job="node"})',
    );
    expect(r.value).toBeGreaterThan(0);
    expect(r.value).toBeLessThan(1);
  });

  test('instance:node_vmstat_pgmajfault:rate ≥ 0', async () => {
    const [r] = await resultOf('rate(node_vmstat_pgmajfault{job="node"}[15s])');
    expect(r.value).toBeGreaterThanOrEqual(0);
  });

  test('instance_device:node_disk_io_time_seconds:rate within 0..1 per device; weighted ≥ 0', async () => {
    const util = await resultOf('rate(node_disk_io_time_seconds_total{job="node", device!=""}[15s])');
    for (const r of util) {
      expect(r.value, r.metric.device).toBeGreaterThanOrEqual(0);
      expect(r.value, r.metric.device).toBeLessThanOrEqual(1 + MARGIN);
    }
    const sat = await resultOf('rate(node_disk_io_time_weighted_seconds_total{job="node", device!=""}[15s])');
    for (const r of sat) expect(r.value, r.metric.device).toBeGreaterThanOrEqual(0);
  });

  test('instance:node_network_receive_bytes_excluding_lo:rate and drops ≥ 0', async () => {
    const [bytes] = await resultOf(
      'sum without (device) (rate(node_network_receive_bytes_total{job="node", device!="lo"}[15s]))',
    );
    expect(bytes.value).toBeGreaterThanOrEqual(0);
    const [drops] = await resultOf(
      'sum without (device) (rate(node_network_receive_drop_total{job="node", device!="lo"}[15s]))',
    );
    expect(drops.value).toBeGreaterThanOrEqual(0);
  });

  test('disk space utilisation and usewatch series are queryable', async () => {
    const space = await resultOf(
      '1 - node_filesystem_avail_bytes{job="node"} / node_filesystem_size_bytes{job="node"}',
    );
    for (const r of space) {
      expect(r.value, r.metric.mountpoint).toBeGreaterThanOrEqual(0);
      expect(r.value, r.metric.mountpoint).toBeLessThanOrEqual(1);
    }
    const cells = await resultOf('usewatch_use_status{job="node"}');
    expect(cells.every((c) => c.value >= 0 && c.value <= 3)).toBe(true);
  });

  test('the agent stops on SIGTERM within 2 s', async () => {
    const t0 = Date.now();
    await stopProcess(agent);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(agent?.exitCode, agentLog).toBe(0);
    expect(promLog).not.toMatch(/level=error/);
  });
});
