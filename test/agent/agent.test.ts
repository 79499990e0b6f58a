import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { RunningAgent } from '../../src/agent/agent.js';
import { runAgent } from '../../src/agent/run.js';
import { parseExposition } from '../outputs/prometheus/exposition.js';
import { get, recordingLogger } from '../server/helpers.js';

const NONE = '/nonexistent/usewatch/config.yaml';
let dir: string;

const EXTRA_RULE = (id: string) => `rules:
  - id: ${id}
    resource: cpu
    dimension: saturation
    metric: cpu.runqueue_per_cpu
    warn: 1000
    crit: 2000
    clear: 900
    for: 10s
    summary: "run queue {value}"
    explain: "A site rule for the reload test."
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usewatch-agent-'));
});

interface Started {
  agent: RunningAgent;
  signals: EventEmitter;
  exit: Promise<number>;
  records: Record<string, unknown>[];
}

let running: Started | undefined;
afterEach(async () => {
  running?.signals.emit('SIGTERM');
  await running?.exit;
  running = undefined;
});

async function start(flags: Record<string, unknown> = {}): Promise<Started> {
  const signals = new EventEmitter();
  const { log, records } = recordingLogger();
  let ready: (a: RunningAgent) => void = () => {};
  const agentReady = new Promise<RunningAgent>((r) => {
    ready = r;
  });
  const errors: string[] = [];
  const exit = runAgent({
    sources: { flags: { '--listen': '127.0.0.1:0', '--interval': '200ms', ...flags }, env: {}, defaultFile: NONE },
    signals,
    log,
    err: (t) => errors.push(t),
    onReady: ready,
  });
  const agent = await Promise.race([
    agentReady,
    exit.then((code) => Promise.reject(new Error(`exited ${code}: ${errors.join('')}`))),
  ]);
  running = { agent, signals, exit, records };
  return running;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('serving', () => {
  test('/healthz turns 200 with the tick age once frames flow; /metrics has node_exporter names', async () => {
    const { agent } = await start();
    await waitFor(async () => (await get(agent.server.port, '/healthz')).status === 200);
    const health = JSON.parse((await get(agent.server.port, '/healthz')).body);
    expect(health.status).toBe('ok');
    expect(health.lastTickAgeSeconds).toBeLessThan(1);
    await waitFor(() => (agent.bus.latest()?.seq ?? 0) >= 2);
    const m = await get(agent.server.port, '/metrics');
    expect(m.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { samples } = parseExposition(m.body);
    const names = new Set(samples.map((s) => s.name));
    for (const n of [
      'node_cpu_seconds_total',
      'node_memory_MemAvailable_bytes',
      'node_load1',
      'node_network_receive_bytes_total',
      'usewatch_use_status',
      'usewatch_build_info',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  test("promtool check metrics finds nothing but the camelCase of node_exporter's own names", async (ctx) => {
    if (spawnSync('promtool', ['--version']).error) {
      console.log('skipped: promtool is not installed (apt-get install prometheus)');
      ctx.skip();
    }
    const { agent } = await start({ '--checklist': [] });
    await waitFor(() => (agent.bus.latest()?.seq ?? 0) >= 2);
    const body = (await get(agent.server.port, '/metrics')).body;
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    const lines = `${lint.stdout}${lint.stderr}`.split('\n').filter((l) => l.trim() !== '');
    // node_memory_MemTotal_bytes, node_netstat_Tcp_InSegs…: node_exporter's names, which the node-mixin
    // rules query, are camelCase. promtool flags them for node_exporter too. Everything else is clean.
    const NODE_CAMEL = /^node_(memory|netstat)_\w+ metric names should be written in 'snake_case' not 'camelCase'$/;
    expect(lines.filter((l) => !NODE_CAMEL.test(l))).toEqual([]);
  });
});

describe('signals', () => {
  test('SIGTERM stops within 2 s: exit 0, port closed, stop hooks (output flushes) awaited', async () => {
    const { agent, signals, exit } = await start();
    const port = agent.server.port;
    let flushed = false;
    agent.onStop(async () => {
      await new Promise((r) => setTimeout(r, 100));
      flushed = true;
    });
    const t0 = performance.now();
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(flushed).toBe(true);
    running = undefined;
    await expect(get(port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });

  test('SIGHUP reloads the checklist; a broken one is refused and the old set kept', async () => {
    const file = join(dir, 'extra.yaml');
    await writeFile(file, EXTRA_RULE('site.first'));
    const { agent, signals, records } = await start({ '--checklist': [file] });
    expect(agent.ruleIds()).toContain('site.first');

    await writeFile(file, EXTRA_RULE('site.second'));
    signals.emit('SIGHUP');
    await waitFor(() => agent.ruleIds().includes('site.second'));
    expect(agent.ruleIds()).not.toContain('site.first');

    await writeFile(file, 'rules:\n  - id: site.third\n    resource: cpu\n    warn: [nonsense\n');
    signals.emit('SIGHUP');
    await waitFor(() => records.some((r) => String(r.msg).startsWith('reload refused')));
    const refused = records.find((r) => String(r.msg).startsWith('reload refused')) as { problems: string[] };
    expect(refused.problems[0]).toMatch(new RegExp(`^${file}:\\d+:\\d+: `));
    expect(agent.ruleIds()).toContain('site.second');
    expect(agent.ruleIds()).not.toContain('site.third');
    const beforeSeq = agent.bus.latest()?.seq ?? 0;
    await waitFor(() => (agent.bus.latest()?.seq ?? 0) > beforeSeq + 1);
  });
});

describe('a SIGHUP during start', () => {
  test('is held rather than ending the process, and carried out once the agent is up', async () => {
    const signals = new EventEmitter();
    const { log, records } = recordingLogger();
    let agent: RunningAgent | undefined;
    const exit = runAgent({
      sources: { flags: { '--listen': '127.0.0.1:0', '--interval': '200ms' }, env: {}, defaultFile: NONE },
      signals,
      log,
      onReady: (a) => {
        agent = a;
      },
    });
    expect(signals.listenerCount('SIGHUP')).toBe(1);
    signals.emit('SIGHUP');
    await waitFor(() => records.some((r) => r.msg === 'reloaded configuration and checklists'));
    running = { agent: agent!, signals, exit, records };
  });
});

describe('refusing to start', () => {
  test('a bad checklist: exit 2 with file:line:col problems', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'rules:\n  - id: x\n    resource: nowhere\n');
    const errors: string[] = [];
    const code = await runAgent({
      sources: { flags: { '--listen': '127.0.0.1:0', '--checklist': [file] }, env: {}, defaultFile: NONE },
      err: (t) => errors.push(t),
      signals: new EventEmitter(),
    });
    expect(code).toBe(2);
    expect(errors.join('')).toMatch(new RegExp(`invalid checklist:\\n${file}:\\d+:\\d+: `));
  });

  test('a FIFO or a device as TLS material: exit 2 at once, naming the file', async () => {
    const fifo = join(dir, 'cert-fifo');
    spawnSync('mkfifo', [fifo]);
    const errors: string[] = [];
    const code = await runAgent({
      sources: {
        flags: { '--listen': '127.0.0.1:0', '--tls-cert': fifo, '--tls-key': '/dev/zero' },
        env: {},
        defaultFile: NONE,
      },
      err: (t) => errors.push(t),
      signals: new EventEmitter(),
    });
    expect(code).toBe(2);
    expect(errors.join('')).toBe(
      `usewatch agent: invalid configuration:\ntls.cert: cannot read ${fifo}: a FIFO, not a regular file\n`,
    );
  });

  test('a public address without a token: exit 2, the reason names the flag', async () => {
    const errors: string[] = [];
    const code = await runAgent({
      sources: { flags: { '--listen': '0.0.0.0:0' }, env: {}, defaultFile: NONE },
      err: (t) => errors.push(t),
      signals: new EventEmitter(),
    });
    expect(code).toBe(2);
    expect(errors.join('')).toContain('--listen: 0.0.0.0:0 is reachable from other hosts');
  });

  test('--print-config prints the effective YAML and exits 0 without serving', async () => {
    const out: string[] = [];
    const code = await runAgent({
      sources: { flags: { '--interval': '2s' }, env: { USEWATCH_LOG_LEVEL: 'debug' }, defaultFile: NONE },
      printConfig: true,
      out: (t) => out.push(t),
      signals: new EventEmitter(),
    });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/interval: 2s[\s\S]*level: debug/);
  });
});

describe('recording', () => {
  test('--record says at start that it records, and where', async () => {
    const recordDir = join(dir, 'rec');
    const { records } = await start({ '--record': recordDir });
    expect(records).toContainEqual(
      expect.objectContaining({ msg: `recording frames to ${recordDir}`, dir: recordDir }),
    );
  });
});
