import { type ChildProcess, execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, notBuiltReason, startAgentProcess, stopProcess, waitFor } from './agent-process.js';
import { pureV2, ROOT, TestCgroup, v1 } from './test-cgroup.js';

// Workload cgroups end to end, as root on a host with cgroup v1 controllers and a v2 hierarchy at
// /sys/fs/cgroup/unified (or a pure v2 host): three systemd-style service cgroups are made, each
// with a limit, and a load is put in each. `usewatch check` must name each cgroup in its finding,
// and the agent's /metrics must carry their container_* series and pass promtool.
const isRoot = process.getuid?.() === 0;
const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

function skipReason(): string | undefined {
  if (notBuiltReason) return notBuiltReason;
  if (!isRoot) return 'not root: cgroups cannot be made';
  if (!has('stress-ng')) return 'stress-ng is not installed';
  if (!has('promtool')) return 'promtool (Debian prometheus) is not installed';
  if (!pureV2 && !(v1('cpu') && v1('memory') && v1('pids')))
    return `no cgroup v2 and v1 controllers missing: ${['cpu', 'memory', 'pids'].filter((c) => !v1(c)).join(', ')}`;
  return undefined;
}
const skip = skipReason();
if (skip) console.warn(`cgroups e2e skipped: ${skip}`);

interface CheckFinding {
  rule: string;
  instance: string;
  state: string;
  summary: string;
  evidence: { processes: { name: string; cgroup?: string }[]; log?: string[] };
}
interface CheckJson {
  findings: CheckFinding[];
  events: { kind: string; rule: string; instance: string }[];
}

const LOAD_S = 14;
const WINDOW_S = 32;
const tag = `usewatch-e2e-${process.pid}`;
const rules = {
  throttled: 'cgroup.cpu.saturation.throttled',
  oom: 'cgroup.memory.errors.oom_kill',
  pids: 'cgroup.tasks.utilization',
  forks: 'cgroup.tasks.errors.fork_refused',
};

describe.skipIf(skip !== undefined)('workload cgroups end to end', () => {
  const made: TestCgroup[] = [];
  const loads: ChildProcess[] = [];
  afterAll(() => {
    for (const l of loads) l.kill('SIGKILL');
    for (const c of made) c.remove();
  });

  it(`a CPU quota, a memory limit and pids.max each raise a finding that names the cgroup; /metrics carries container_* series that pass promtool`, async () => {
    const throttle = new TestCgroup(`${tag}-throttle.service`);
    const oom = new TestCgroup(`${tag}-oom.service`);
    const pids = new TestCgroup(`${tag}-pids.service`);
    made.push(throttle, oom, pids);
    throttle.set('cpu', pureV2 ? 'cpu.max' : 'cpu.cfs_quota_us', pureV2 ? '20000 100000' : '20000');
    oom.set('memory', pureV2 ? 'memory.max' : 'memory.limit_in_bytes', String(48 << 20));
    if (!pureV2 && existsSync(join(ROOT, 'memory', oom.id, 'memory.memsw.limit_in_bytes')))
      oom.set('memory', 'memory.memsw.limit_in_bytes', String(48 << 20));
    if (pureV2) oom.set('memory', 'memory.swap.max', '0');
    pids.set('pids', 'pids.max', '12');

    // The throttling and pids rules sustained for 2 s instead of their default windows, so that the
    // test is short; the OOM and refused-fork rules fire on the first sample as shipped.
    const dir = join(tmpdir(), tag);
    mkdirSync(dir, { recursive: true });
    const overrides = join(dir, 'fast.yaml');
    writeFileSync(
      overrides,
      `overrides:\n${[rules.throttled, rules.pids]
        .map((r) => `  - rule: ${r}\n    for: 2s\n    clear_for: 3s\n`)
        .join('')}`,
    );

    // The agent carries no cgroup by activity: the three appear on /metrics only through their
    // findings, raised while no process of most cgroups ran and those were left unread (cgroups.md,
    // "Cgroups where no process ran"); `check` below judges with the default top 5.
    const agent = await startAgentProcess(['--checklist', overrides, '--cgroups-top', '0']);
    try {
      const check = new Promise<CheckJson>((resolve, reject) => {
        execFile(
          process.execPath,
          [BIN, 'check', '--for', `${WINDOW_S}s`, '--interval', '1s', '--format', 'json', '--checklist', overrides],
          { maxBuffer: 64 * 1024 * 1024 },
          (err, stdout) => {
            try {
              resolve(JSON.parse(stdout) as CheckJson);
            } catch {
              reject(err ?? new Error(`not JSON: ${stdout.slice(0, 300)}`));
            }
          },
        );
      });
      // Discovery walks the hierarchy every few seconds: give it one walk before the loads start.
      await new Promise((r) => setTimeout(r, 3000));
      loads.push(
        throttle.run(`stress-ng --cpu 1 --timeout ${LOAD_S}s --quiet`),
        oom.run(`stress-ng --vm 1 --vm-bytes 160M --vm-keep --timeout ${LOAD_S}s --quiet`),
        pids.run(`sh -c 'for i in $(seq 40); do sleep ${LOAD_S} & done; wait' 2>/dev/null`),
      );

      const metrics = await waitFor('container series of the three cgroups', 25_000, async () => {
        const text = await (await fetch(`${agent.url}/metrics`)).text();
        const throttled = new RegExp(
          `container_cpu_cfs_throttled_periods_total\\{[^}]*id="${throttle.id}"[^}]*\\} [1-9]`,
        );
        const oomed = new RegExp(`container_oom_events_total\\{[^}]*id="${oom.id}"[^}]*\\} [1-9]`);
        return throttled.test(text) && oomed.test(text) && text.includes(`id="${pids.id}"`) ? text : undefined;
      });
      // promtool flags node_exporter's own camelCase names (node_memory_MemTotal_bytes…), which the
      // node-mixin queries; anything else it says about the exposition is a failure.
      const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
      const NODE_CAMEL = /^node_(memory|netstat)_\w+ metric names should be written in 'snake_case' not 'camelCase'$/;
      const complaints = `${promtool.stdout}${promtool.stderr}`
        .split('\n')
        .filter((l) => l.trim() !== '' && !NODE_CAMEL.test(l));
      expect(complaints).toEqual([]);

      const report = await check;
      const finding = (rule: string, id: string) =>
        report.findings.find((f) => f.rule === rule && f.instance === id && f.state !== 'pending');
      const raised = (rule: string, id: string) =>
        report.events.some((e) => e.kind === 'raised' && e.rule === rule && e.instance === id);

      // Throttled while the host stays under its own CPU thresholds, and clear once the load ends.
      expect(raised(rules.throttled, throttle.id), JSON.stringify(report.events)).toBe(true);
      const throttledFinding = finding(rules.throttled, throttle.id);
      expect(throttledFinding?.summary).toContain(`${tag}-throttle.service`);
      expect(throttledFinding?.state).toBe('resolved');
      expect(report.findings.filter((f) => f.rule === 'cpu.utilization' && f.state === 'firing')).toEqual([]);

      // The OOM kill names the cgroup and the process the kernel killed.
      const oomFinding = finding(rules.oom, oom.id);
      expect(oomFinding, JSON.stringify(report.findings.map((f) => [f.rule, f.instance]))).toBeDefined();
      expect(oomFinding!.summary).toContain(`${tag}-oom.service`);
      expect(JSON.stringify(oomFinding!.evidence)).toMatch(/stress-ng/);

      // A fork loop under pids.max: the cgroup at its limit, forks refused.
      expect(raised(rules.pids, pids.id) || raised(rules.forks, pids.id)).toBe(true);
      expect(raised(rules.forks, pids.id)).toBe(true);
    } finally {
      await stopProcess(agent.child);
    }
  }, 90_000);
});
