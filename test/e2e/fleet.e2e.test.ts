import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../bench/free-port.js';
import {
  type AgentProcess,
  BIN,
  notBuiltReason,
  startAgentProcess,
  stopProcess,
  usewatch,
  waitFor,
} from './agent-process.js';

/**
 * `usewatch fleet` against a real Prometheus scraping three agents on this host every second: the
 * grid in a terminal (tmux), a CPU load turning the CPU cells, a host's live view and back, the
 * JSON form, and the errors a user meets first. The agents' cpu.utilization rule is shortened by an
 * override so that the load shows within seconds.
 */

const missing = [
  spawnSync('prometheus', ['--version']).error !== undefined && 'prometheus',
  spawnSync('stress-ng', ['--version']).error !== undefined && 'stress-ng',
  spawnSync('tmux', ['-V']).error !== undefined && 'tmux',
].filter(Boolean);
const skipReason = missing.length > 0 ? `${missing.join(', ')} not installed` : notBuiltReason;
if (skipReason) console.log(`skipped: ${skipReason}`);

const OVERRIDES = `overrides:
  - rule: cpu.utilization
    warn: 50%
    crit: 80%
    clear: 40%
    for: 1s
    clear_for: 1s
`;

const SOCKET = `usewatch-fleet-e2e-${process.pid}`;
function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}
const screen = () => tmux('capture-pane', '-p', '-t', 'fleet');

interface FleetJson {
  prometheus: string;
  resources: string[];
  hosts: {
    host: string;
    job: string;
    up: boolean;
    worst: string;
    firing: number;
    cells: Record<string, Record<string, string>>;
    findings: { rule: string; firing: boolean; severity: string }[];
  }[];
}

describe.skipIf(skipReason !== undefined)('usewatch fleet over a real Prometheus', () => {
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let load: ChildProcess | undefined;
  const agents: AgentProcess[] = [];
  let hosts: string[] = [];
  let promUrl = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'usewatch-e2e-fleet-'));
    const overrides = join(dir, 'fast.yaml');
    await writeFile(overrides, OVERRIDES);
    for (let i = 0; i < 3; i++) agents.push(await startAgentProcess(['--interval', '1s', '--checklist', overrides]));
    hosts = agents.map((a) => a.url.replace('http://', ''));
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    await writeFile(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        scrape_configs: [{ job_name: 'usewatch', static_configs: [{ targets: hosts }] }],
      }),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'prom')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    await waitFor('Prometheus to scrape the three agents', 30_000, async () => {
      const res = await fetch(
        `${promUrl}/api/v1/query?query=${encodeURIComponent('count(usewatch_use_status) by (instance)')}`,
      );
      const body = (await res.json()) as { data: { result: unknown[] } };
      return body.data.result.length === 3 ? true : undefined;
    });
  }, 60_000);

  /** stress-ng's workers are its children: signal the whole process group it leads. */
  function stopLoad(): void {
    if (load?.pid !== undefined && load.exitCode === null) process.kill(-load.pid, 'SIGTERM');
    load = undefined;
  }

  afterAll(async () => {
    stopLoad();
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    await Promise.all([stopProcess(prometheus), ...agents.map((a) => stopProcess(a.child))]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the grid as JSON for scripts: three hosts with their cells', () => {
    const run = usewatch('fleet', '--prometheus', promUrl, '--selector', '{job="usewatch"}', '--format', 'json');
    expect(run.code, run.stderr).toBe(0);
    const grid = JSON.parse(run.stdout) as FleetJson;
    expect(grid.prometheus).toBe(`${promUrl}/`);
    expect(grid.hosts.map((h) => h.host).sort()).toEqual([...hosts].sort());
    for (const h of grid.hosts) {
      expect(h).toMatchObject({ job: 'usewatch', up: true });
      expect(Object.keys(h.cells.cpu ?? {})).toEqual(expect.arrayContaining(['utilization', 'saturation']));
      expect(['ok', 'warning', 'critical', 'unknown']).toContain(h.cells.memory?.utilization);
    }
    expect(grid.resources).toEqual(expect.arrayContaining(['cpu', 'memory']));
  });

  it('says clearly when Prometheus is unreachable or the selector matches nothing', () => {
    const down = usewatch('fleet', '--prometheus', 'http://127.0.0.1:1', '--format', 'json');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach Prometheus at http://127.0.0.1:1/: ECONNREFUSED');
    const none = usewatch('fleet', '--prometheus', promUrl, '--selector', '{job="nope"}');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `no usewatch series found for the selector {job="nope"} in Prometheus at ${promUrl}/`,
    );
  });

  it('shows three hosts in the terminal, turns their CPU cells under load, opens a live view and returns', async () => {
    tmux('new-session', '-d', '-s', 'fleet', '-x', '120', '-y', '40', 'env -u CI LANG=C.UTF-8 PS1="uw-prompt$ " sh');
    await waitFor('the shell prompt', 10_000, () => (screen().includes('uw-prompt$') ? true : undefined));
    tmux(
      'send-keys',
      '-t',
      'fleet',
      `node ${BIN} fleet --prometheus ${promUrl} --selector '{job="usewatch"}'; echo "fleet-exit=$?"`,
      'Enter',
    );
    const first = await waitFor('three hosts on the grid', 15_000, () => {
      const s = screen();
      return hosts.every((h) => s.includes(h)) ? s : undefined;
    });
    expect(first).toMatch(/usewatch fleet +http:\/\/127\.0\.0\.1:\d+\/ +\{job="usewatch"\} .* every 1s/);
    expect(first).toMatch(/ 3 hosts: /);

    // Niced, so that the agents and Prometheus still run on time.
    const workers = availableParallelism() * 2;
    load = spawn('nice', ['-n', '19', 'stress-ng', '--cpu', String(workers), '--timeout', '60s', '--quiet'], {
      stdio: 'ignore',
      detached: true,
    });
    const loaded = await waitFor('the CPU utilization cells to turn critical on every host', 40_000, () => {
      const s = screen();
      return hosts.every((h) => new RegExp(`${h.replace(/\./g, '\\.')} +C`).test(s)) ? s : undefined;
    });
    expect(loaded).toContain('cpu.utilization');
    stopLoad();

    const [, selected] = /^▶ (\S+)/m.exec(loaded) ?? [];
    expect(hosts).toContain(selected);
    tmux('send-keys', '-t', 'fleet', 'Enter');
    const live = await waitFor("the host's live view", 15_000, () => {
      const s = screen();
      return s.includes(`ws://${selected}/feed`) && s.includes('FINDINGS') && s.includes('LIVE') ? s : undefined;
    });
    expect(live).toMatch(/^ usewatch \S+ +kernel /m);
    tmux('send-keys', '-t', 'fleet', 'Escape');
    await waitFor('the fleet again, the same host selected', 10_000, () => {
      const s = screen();
      return s.includes('usewatch fleet') && s.includes(`▶ ${selected}`) ? true : undefined;
    });
    tmux('send-keys', '-t', 'fleet', 'q');
    await waitFor('the fleet to exit 0', 10_000, () => (screen().includes('fleet-exit=0') ? true : undefined));
  }, 100_000);
});
