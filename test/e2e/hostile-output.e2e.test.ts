import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { lines, oneLine, shortLines, writeBomb } from '../replay/bombs.js';
import { BIN, notBuiltReason, stopProcess, waitFor } from './agent-process.js';

/**
 * What a hostile recording, a decompression bomb, a closed pipe or a process with a hostile name
 * does to the CLI and the agent: text outputs stay inert, readers stay small and quick, a closed
 * stdout never stops the agent, and commands end quietly when their reader goes away.
 */
if (notBuiltReason) console.log(`skipped: ${notBuiltReason}`);

const dir = mkdtempSync(join(tmpdir(), 'usewatch-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes a terminal acts on: ESC, the 8-bit CSI and OSC, BEL. */
const TERMINAL_CONTROL = /[\x07\x1b\x9b\x9d]/;
/**
 * What a terminal acts on that JSON.stringify leaves raw, as UTF-8 bytes read as latin1 (how `usewatch`
 * collects output): C1 controls (the 8-bit CSI), bidi embeddings and overrides, bidi isolates.
 */
const RAW_IN_JSON = /\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]/;
const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');
/** A disk named to set the window title, clear the screen, fake a status line and reverse the text. */
const HOSTILE = 'vda\x1b]0;owned\x07\x1b[2J\x1b[H\nUSEWATCH OK - all fine\u202e\x9b31m|x';
const T0 = Date.UTC(2026, 10, 25, 3, 0, 0);

/** 90 frames a second apart in which the hostile disk is 99 % busy, with the finding recorded. */
function hostileRecording(): string {
  const path = join(dir, 'hostile.ndjson');
  const header = { usewatch: 'recording', format: 1, frameSchema: 2, host: 'h', agentVersion: '0', created: T0 };
  const frames = Array.from({ length: 90 }, (_, i) => {
    const ts = T0 + i * 1000;
    const process = { pid: 66, name: `evil\x1b[31m) R\n`, cmd: 'evil \x1b]8;;http://x\x07', user: 'root', state: 'R' };
    return {
      schema: 2,
      seq: i + 1,
      ts,
      intervalMs: 1000,
      host: { hostname: 'box\x1b[H', kernel: '6.1.0', cpus: 2, agentVersion: '0' },
      metrics: { 'disk.utilization': { [HOSTILE]: 0.99 } },
      use: [
        {
          resource: 'disk',
          dimension: 'utilization',
          instance: HOSTILE,
          status: 'critical',
          value: 0.99,
          unit: 'ratio',
          metric: 'disk.utilization',
        },
      ],
      findings: [
        {
          id: `disk.utilization@${HOSTILE}`,
          rule: 'disk.utilization',
          resource: 'disk',
          dimension: 'utilization',
          instance: HOSTILE,
          severity: 'critical',
          state: 'firing',
          summary: `${HOSTILE} busy 99%`,
          since: T0,
          evidence: { windowMs: i * 1000, processes: [] },
          next: [],
        },
      ],
      processes: [{ ...process, cpu: 0.5, rssBytes: 1e6, threads: 1 }],
    };
  });
  writeFileSync(path, lines(JSON.stringify(header), ...frames.map((f) => JSON.stringify(f))));
  return path;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the process (VmHWM, polled), in bytes. */
  peakRss: number;
  ms: number;
}

/** Runs the CLI, polling its peak RSS until it exits. */
function usewatch(args: string[], timeoutMs = 60_000): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('latin1');
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('latin1');
  });
  let peakRss = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
    } catch {
      // exited between two polls
    }
  }, 20);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, peakRss, ms: Date.now() - started });
    });
  });
}

const MiB = 1024 * 1024;

describe.skipIf(notBuiltReason !== undefined)('hostile names in a recording', () => {
  const recording = hostileRecording();

  it('replay --format summary prints them inert, one line per frame', async () => {
    const run = await usewatch(['replay', recording, '--format', 'summary']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(TERMINAL_CONTROL);
    const printed = run.stdout.trimEnd().split('\n');
    expect(printed).toHaveLength(90);
    expect(printed[0]).toMatch(/disk\.utilization@vda\?USEWATCH OK - all fine\?\|x critical$/);
  });

  it('check --replay --format text and nagios print them inert; nagios stays one line', async () => {
    const text = await usewatch(['check', '--replay', recording, '--format', 'text']);
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(text.stdout).toContain('vda?USEWATCH OK - all fine?|x');
    const nagios = await usewatch(['check', '--replay', recording, '--format', 'nagios']);
    expect(nagios.code, nagios.stderr).toBe(2);
    expect(nagios.stdout).not.toMatch(TERMINAL_CONTROL);
    expect(nagios.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(nagios.stdout).toMatch(/^USEWATCH CRITICAL - disk\.utilization@vda\?USEWATCH OK - all fine\?\/x: /);
  });

  it('check --format json and replay --format ndjson escape them: inert as printed, the same value parsed', async () => {
    const json = await usewatch(['check', '--replay', recording, '--format', 'json']);
    expect(json.code, json.stderr).toBe(2);
    expect(json.stdout).not.toMatch(RAW_IN_JSON);
    const report = JSON.parse(utf8(json.stdout)) as { findings: { instance: string }[] };
    expect(report.findings[0].instance).toBe(HOSTILE);
    const ndjson = await usewatch(['replay', recording, '--format', 'ndjson']);
    expect(ndjson.code, ndjson.stderr).toBe(0);
    expect(ndjson.stdout).not.toMatch(RAW_IN_JSON);
    const first = JSON.parse(utf8(ndjson.stdout.split('\n')[0])) as { metrics: Record<string, Record<string, number>> };
    expect(first.metrics['disk.utilization'][HOSTILE]).toBe(0.99);
  });

  it('replay | head -1 exits 0, as Unix tools do', () => {
    for (const format of ['summary', 'ndjson']) {
      const r = spawnSync(
        'bash',
        ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" replay "${recording}" --format ${format} | head -1`],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.split('\n')).toHaveLength(2);
      expect(r.stderr).toBe('');
    }
  });
});

describe.skipIf(notBuiltReason !== undefined)('decompression bombs', () => {
  const header = JSON.stringify({
    usewatch: 'recording',
    format: 1,
    frameSchema: 2,
    host: 'h',
    agentVersion: '0',
    created: T0,
  });
  const frame = (seq: number) =>
    JSON.stringify({
      schema: 2,
      seq,
      ts: T0 + seq * 1000,
      intervalMs: 1000,
      host: { hostname: 'h', kernel: 'k', cpus: 1, agentVersion: '0' },
      metrics: {},
    });
  const limit = `decodes to more than 256 MiB: 2 frame(s) read from its first 256 MiB, the rest of the segment skipped`;

  it('600 MB of short lines in a ~600 KB segment: the first frames, a warning, small and quick', async () => {
    const path = join(dir, 'short-lines.ndjson.gz');
    const size = writeBomb(path, {
      head: lines(header, frame(1), frame(2)),
      filler: shortLines(MiB),
      times: 600,
      tail: lines(frame(3)),
    });
    expect(size).toBeLessThan(700 * 1024);
    for (const args of [
      ['replay', path, '--format', 'summary'],
      ['check', '--replay', path, '--format', 'json'],
    ]) {
      const run = await usewatch(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`${path}: ${limit}`);
      expect(run.stderr).toMatch(/line\(s\) that are not frames skipped \(first: not JSON: x\)/);
      if (args[0] === 'replay') expect(run.stdout.trimEnd().split('\n')).toHaveLength(2);
      else expect(JSON.parse(run.stdout).status).toBe('OK');
      console.log(
        `${args.slice(0, 2).join(' ')} on the short-line bomb: ${run.ms} ms, peak RSS ${(run.peakRss / MiB).toFixed(0)} MiB`,
      );
      expect(run.peakRss).toBeLessThan(200 * MiB);
      expect(run.ms).toBeLessThan(30_000);
    }
  });

  it('400 MB of "{}" lines and a file of small objects: counted or given up, as quick as other junk', async () => {
    const braces = join(dir, 'braces.ndjson.gz');
    writeBomb(braces, {
      head: lines(header, frame(1), frame(2)),
      filler: Buffer.from('{}\n'.repeat(MiB / 2)),
      times: 400,
      tail: lines(frame(3)),
    });
    const objects = join(dir, 'objects.ndjson.gz');
    writeBomb(objects, {
      head: lines(header, frame(1), frame(2)),
      filler: Buffer.from('{"schema":1,"pad":1234567}\n'.repeat(40_000)),
      times: 200,
      tail: lines(frame(3)),
    });
    for (const [path, warning] of [
      [braces, /line\(s\) that are not frames skipped \(first: too short for a frame: \{\}\)/],
      [objects, /1001 lines in a row that are not frames: 2 frame\(s\) read, the rest of the segment skipped/],
    ] as const) {
      const run = await usewatch(['check', '--replay', path, '--format', 'json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(warning);
      console.log(`check --replay on ${basename(path)}: ${run.ms} ms, peak RSS ${(run.peakRss / MiB).toFixed(0)} MiB`);
      expect(run.peakRss).toBeLessThan(200 * MiB);
      expect(run.ms).toBeLessThan(30_000);
    }
  });

  it('one 400 MB line in a ~400 KB segment: skipped without being held', async () => {
    const path = join(dir, 'one-line.ndjson.gz');
    writeBomb(path, {
      head: `${lines(header, frame(1), frame(2))}{"pad":"`,
      filler: oneLine(MiB),
      times: 400,
      tail: `"}\n${lines(frame(3))}`,
    });
    const run = await usewatch(['check', '--replay', path, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${path}: ${limit}`);
    expect(run.stderr).toContain(`${path}: 1 line(s) longer than 1 MiB skipped`);
    console.log(`check --replay on the one-line bomb: ${run.ms} ms, peak RSS ${(run.peakRss / MiB).toFixed(0)} MiB`);
    expect(run.peakRss).toBeLessThan(200 * MiB);
    expect(run.ms).toBeLessThan(30_000);
  });
});

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * An agent whose stdout (and stderr, when asked) is closed as `| head -1` closes it: after its
 * first log line, or at once when it logs nothing at start (`--log-level warn`).
 */
async function agentWithClosedOutput(
  args: string[],
  opts: { afterFirstLine: boolean; closeStderr?: boolean },
): Promise<{ child: ChildProcess; url: string }> {
  const url = `http://127.0.0.1:${await freePort()}`;
  const child = spawn(process.execPath, [BIN, 'agent', '--listen', url.slice('http://'.length), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.afterFirstLine) {
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.once('line', () => {
        rl.close();
        resolve();
      });
      child.once('exit', (code) => reject(new Error(`agent exited with ${code}`)));
    });
  }
  child.stdout!.destroy();
  if (opts.closeStderr) child.stderr!.destroy();
  await waitFor('the agent to answer', 15_000, async () => ((await fetch(`${url}/healthz`)).ok ? true : undefined));
  return { child, url };
}

/** A request with a Host header naming another machine (fetch() does not let one set Host). */
function foreignHostRequest(url: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { Host: 'evil.example' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function healthy(url: string): Promise<{ status: string; lastTickAgeSeconds: number }> {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; lastTickAgeSeconds: number };
}

async function droppedLogLines(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^usewatch_log_dropped_total (\d+)$/m.exec(text);
  if (m === null) throw new Error('no usewatch_log_dropped_total in /metrics');
  return Number(m[1]);
}

describe.skipIf(notBuiltReason !== undefined)('the agent with a closed stdout', () => {
  let agent: ChildProcess | undefined;
  afterEach(() => stopProcess(agent));

  it('agent | head -1: keeps ticking and answering, and counts the log lines it drops', async () => {
    const started = await agentWithClosedOutput([], { afterFirstLine: true, closeStderr: true });
    agent = started.child;
    // A foreign Host is logged (once per kind); the write fails on the closed pipe.
    expect(await foreignHostRequest(started.url, '/healthz')).toBe(421);
    await waitFor('a dropped log line', 10_000, async () =>
      (await droppedLogLines(started.url)) >= 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 2500));
    expect(agent.exitCode).toBeNull();
    const health = await healthy(started.url);
    expect(health.status).toBe('ok');
    expect(health.lastTickAgeSeconds).toBeLessThan(3);
  });

  it('--log-level warn: one request with a foreign Host header no longer stops it', async () => {
    const started = await agentWithClosedOutput(['--log-level', 'warn'], { afterFirstLine: false });
    agent = started.child;
    expect(await foreignHostRequest(started.url, '/metrics')).toBe(421);
    await new Promise((r) => setTimeout(r, 1500));
    expect(agent.exitCode).toBeNull();
    expect((await healthy(started.url)).status).toBe('ok');
    expect(await droppedLogLines(started.url)).toBeGreaterThanOrEqual(1);
  });
});

describe.skipIf(notBuiltReason !== undefined)('a process with a hostile name', () => {
  let agent: ChildProcess | undefined;
  let victim: ChildProcess | undefined;
  afterEach(async () => {
    await stopProcess(agent);
    victim?.kill('SIGKILL');
  });

  it('check in every format and /metrics stay clean, and the agent keeps ticking', async () => {
    // comm: escape sequences, BEL, ")", a newline, invalid UTF-8 and an 8-bit CSI (15 bytes, the
    // kernel's limit); argv: the same and worse. It burns some CPU so it is among the top processes.
    const comm = [0x65, 0x1b, 0x5d, 0x30, 0x3b, 0x58, 0x07, 0x29, 0x0a, 0x20, 0x52, 0xff, 0x9b, 0x32, 0x4a];
    const script = [
      `require('node:fs').writeFileSync('/proc/self/comm', Buffer.from(${JSON.stringify(comm)}));`,
      'setInterval(() => { const t = Date.now(); while (Date.now() - t < 30); }, 60);',
      'setTimeout(() => process.exit(0), 60000);',
    ].join('');
    // argv[0] and an argument with escape sequences, a newline, ") S 1", a bidi override and bytes
    // that are not UTF-8 (only a shell can pass those).
    victim = spawn(
      'bash',
      [
        '-c',
        `exec -a "$(printf 'x\\033[2J\\377)')" "$0" -e "$1" -- "$(printf 'arg\\033]0;t\\007\\n) S 1\\342\\200\\256\\377\\302')"`,
        process.execPath,
        script,
      ],
      { stdio: 'ignore' },
    );
    await waitFor('the comm to change', 5000, () => {
      const now = readFileSync(`/proc/${victim!.pid}/comm`);
      return now[1] === 0x1b ? true : undefined;
    });

    for (const format of ['text', 'nagios']) {
      const run = await usewatch(['check', '--for', '3s', '--format', format]);
      expect(run.code, run.stderr).not.toBe(3);
      expect(run.stdout).not.toMatch(TERMINAL_CONTROL);
      if (format === 'nagios') expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    }
    const json = await usewatch(['check', '--for', '3s', '--format', 'json']);
    const report = JSON.parse(json.stdout) as { status: string };
    expect(['OK', 'WARNING', 'CRITICAL']).toContain(report.status);
    expect(json.stdout).not.toMatch(TERMINAL_CONTROL);

    const config = join(dir, 'top.yaml');
    writeFileSync(config, 'prometheus:\n  top_processes: 20\n');
    const started = await agentWithClosedOutput(['--config', config], { afterFirstLine: true });
    agent = started.child;
    await new Promise((r) => setTimeout(r, 3000));
    const metrics = await (await fetch(`${started.url}/metrics`)).text();
    expect(metrics).toMatch(/usewatch_process_cpu_ratio\{pid="\d+",name="e[^"]*"\}/);
    expect(metrics).not.toMatch(TERMINAL_CONTROL);
    if (existsSync('/usr/bin/promtool')) {
      const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      const problems = `${lint.stdout}${lint.stderr}`.split('\n').filter((l) => l.trim() !== '');
      // node_exporter's own camelCase names are flagged for node_exporter too (test/agent/agent.test.ts).
      const NODE_CAMEL = /^node_(memory|netstat)_\w+ metric names should be written in 'snake_case' not 'camelCase'$/;
      expect(problems.filter((l) => !NODE_CAMEL.test(l))).toEqual([]);
    }
    const health = await healthy(started.url);
    expect(health.status).toBe('ok');
    expect(health.lastTickAgeSeconds).toBeLessThan(3);
  });
});
