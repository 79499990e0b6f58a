import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { generateProcTree } from '../../bench/fixture-procs.js';
import { describeInventory } from '../../src/pipeline/inventory.js';
import { NotifyReceiver } from '../systemd/notify-receiver.js';
import { type AgentProcess, notBuiltReason, startAgentProcess, stopProcess, waitFor } from './agent-process.js';

/** The agent's optional outputs and its systemd integration, exercised through the built CLI. */
if (notBuiltReason) console.log(`skipped: ${notBuiltReason}`);

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'usewatch-e2e-'));
  dirs.push(d);
  return d;
}
let agent: AgentProcess | undefined;
let receiver: NotifyReceiver | undefined;
afterEach(async () => {
  await stopProcess(agent?.child);
  agent = undefined;
  receiver?.stop();
  receiver = undefined;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const TRACE_HOOK = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (new RegExp(process.env.USEWATCH_TRACE_PATTERN).test(specifier)) appendFileSync(process.env.USEWATCH_TRACE_FILE, specifier + '\\n');
  return next(specifier, context);
}`;

/** Node flags and environment that log every import of the child matching `pattern` into a file. */
function traceImports(
  dir: string,
  pattern = '@opentelemetry',
): { nodeArgs: string[]; env: NodeJS.ProcessEnv; file: string } {
  const hook = join(dir, 'hook.mjs');
  writeFileSync(hook, TRACE_HOOK);
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${hook}`)});\n`);
  const file = join(dir, 'imports.txt');
  writeFileSync(file, '');
  return {
    nodeArgs: ['--import', register],
    env: { USEWATCH_TRACE_FILE: file, USEWATCH_TRACE_PATTERN: pattern },
    file,
  };
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

describe.skipIf(notBuiltReason !== undefined)('agent outputs', () => {
  it('tells systemd READY=1 after the first tick, pings the watchdog, and stops pinging when the tick loop stalls', async () => {
    receiver = await NotifyReceiver.start();
    const root = tempDir();
    generateProcTree(root, 20);
    agent = await startAgentProcess(['--root', root], {
      NOTIFY_SOCKET: receiver.socketPath,
      WATCHDOG_USEC: '1000000',
    });
    expect(await receiver.waitFor('READY=1')).toContain('STATUS=ticking every 1000 ms');
    await waitFor('two watchdog pings', 10_000, () => (receiver!.count('WATCHDOG=1') >= 2 ? true : undefined));

    // A new process whose stat file is a FIFO blocks the next tick's open() for good: the loop is
    // stuck. (A known process's stat is read through a descriptor kept open, which no longer opens.)
    const stuck = join(root, 'proc', '999999');
    mkdirSync(stuck);
    execFileSync('mkfifo', [join(stuck, 'stat')]);
    await new Promise((r) => setTimeout(r, 1500)); // the tick in progress and a ping in flight settle
    const whenStuck = receiver.count('WATCHDOG=1');
    await new Promise((r) => setTimeout(r, 2500));
    expect(receiver.count('WATCHDOG=1')).toBe(whenStuck);
    agent.child.kill('SIGKILL');
  });

  it('loads no OpenTelemetry module unless OTLP is configured', async () => {
    const dir = tempDir();
    const trace = traceImports(dir);
    agent = await startAgentProcess([], trace.env, trace.nodeArgs);
    await waitFor('a frame', 10_000, async () =>
      (await metrics(agent!.url)).includes('node_load1 ') ? true : undefined,
    );
    expect(readFileSync(trace.file, 'utf8')).toBe('');
  });

  it('exports over OTLP/HTTP when configured, with headers, to a collector that receives host metrics', async () => {
    const bodies: string[] = [];
    const collector: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        if (req.headers['x-scope'] === 'team-a') bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const trace = traceImports(tempDir());
    try {
      const port = (collector.address() as AddressInfo).port;
      agent = await startAgentProcess(
        [
          '--otlp-endpoint',
          `http://127.0.0.1:${port}/v1/metrics`,
          '--otlp-protocol',
          'http/json',
          '--otlp-header',
          'x-scope=team-a',
          '--otlp-interval',
          '1s',
        ],
        trace.env,
        trace.nodeArgs,
      );
      const body = await waitFor('an OTLP export with host metrics', 15_000, () =>
        bodies.find((b) => b.includes('system.cpu.time') && b.includes('usewatch.use.status')),
      );
      expect(body).toContain('system.memory.usage');
      // The same import trace that stays empty without OTLP sees the SDK here.
      expect(readFileSync(trace.file, 'utf8')).toContain('@opentelemetry/sdk-metrics');
      expect(await metrics(agent.url)).toMatch(/^usewatch_otlp_exports_total [1-9]/m);
    } finally {
      collector.close();
    }
  });

  it('names the OS and CPU model in its frames as systeminformation does, without loading it', async () => {
    const dir = tempDir();
    const trace = traceImports(dir, 'systeminformation');
    agent = await startAgentProcess([], trace.env, trace.nodeArgs);
    const si = await import('systeminformation');
    const [os, cpu] = await Promise.all([si.osInfo(), si.cpu()]);
    const expected = describeInventory({ os, cpu });
    const feed = new WebSocket(`${agent.url.replace('http:', 'ws:')}/feed?backfill=0`);
    try {
      const host = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no frame named the OS within 15 s')), 15_000);
        feed.on('error', reject);
        feed.on('message', (data) => {
          const message = JSON.parse(String(data)) as { type: string; host?: Record<string, unknown> };
          if (message.type !== 'frame' || message.host?.os === undefined) return;
          clearTimeout(timer);
          resolve(message.host);
        });
      });
      expect({ os: host.os, cpuModel: host.cpuModel }).toEqual(expected);
      // systeminformation runs in a child process that exits: the agent's own imports never include it.
      expect(readFileSync(trace.file, 'utf8')).toBe('');
    } finally {
      feed.terminate();
    }
  });

  it('records frames into rotated gzip segments with --record, readable with zcat | jq', async () => {
    const dir = join(tempDir(), 'rec');
    agent = await startAgentProcess(['--record', dir]);
    await waitFor('a few recorded frames', 10_000, async () =>
      (await metrics(agent!.url)).match(/^usewatch_recorder_frames_total ([3-9]|\d\d)/m) ? true : undefined,
    );
    await stopProcess(agent.child);
    const segments = readdirSync(dir).filter((n) => n.endsWith('.ndjson.gz'));
    expect(segments.length).toBe(1);
    const lines = gunzipSync(readFileSync(join(dir, segments[0])))
      .toString('utf8')
      .trim()
      .split('\n');
    const frames = lines.map((l) => JSON.parse(l) as { seq?: number; metrics?: object }).filter((o) => o.seq);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(frames[0].metrics).toHaveProperty(['memory.utilization']);
    expect(frames[1].metrics).toHaveProperty(['cpu.utilization']); // rates from the second frame on
  });

  it('raises a finding once, and keeps ticking, when the recording disk fills up at run time', async (ctx) => {
    // A directory that cannot hold a recording at all is refused at start (hostile-inputs.e2e.test.ts);
    // this one passes the start check and fills up a few frames later: a 64 KiB tmpfs, tails included.
    const small = join(tempDir(), 'small');
    mkdirSync(small);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // mounting needs root (CAP_SYS_ADMIN)
    }
    try {
      agent = await startAgentProcess(['--record', join(small, 'rec')], { RUNTIME_DIRECTORY: small });
      const text = await waitFor('the recording finding on /metrics', 20_000, async () => {
        const m = await metrics(agent!.url);
        return m.includes('rule="usewatch.recording"') ? m : undefined;
      });
      expect(text).toMatch(/^usewatch_recorder_paused 1$/m);
      const health = (await (await fetch(`${agent.url}/healthz`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      const paused = agent.logs.filter((l) => l.includes('"msg":"recording paused'));
      expect(paused).toHaveLength(1);
      expect(paused[0]).toMatch(/"msg":"recording paused: disk full at [^"]+: ENOSPC[^"]*; retrying every 30s"/);
    } finally {
      await stopProcess(agent?.child);
      agent = undefined;
      execFileSync('umount', [small]);
    }
  });
});
