import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { notBuiltReason, usewatch } from './agent-process.js';

/**
 * Verdicts you can trust: the same steady load gives the same Nagios status on every run, and a
 * recording of it, re-evaluated, reports what the live check reported. Needs stress-ng and the
 * built CLI; run under the shared lock (it loads every CPU for about a minute and a half).
 */
const hasStressNg = spawnSync('stress-ng', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = notBuiltReason ?? (hasStressNg ? undefined : 'stress-ng is not installed');
if (skip) console.log(`skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'usewatch-verdicts-'));
let load: ChildProcess | undefined;

function startLoad(seconds: number): void {
  load = spawn('stress-ng', ['--cpu', '4', '--timeout', `${seconds}s`, '--quiet'], { stdio: 'ignore', detached: true });
}

afterEach(() => {
  // stress-ng's workers are its children: signal the whole process group it leads.
  if (load?.pid !== undefined && load.exitCode === null) process.kill(-load.pid, 'SIGTERM');
  load = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  status: string;
  exitCode: number;
  windowMs: number;
  findings: { id: string; state: string; severity: string; sustainedThroughWindow?: boolean }[];
}

/**
 * Status and the firing findings: what a run decides. Severities below the status are left out: the
 * run queue is an instantaneous count that may or may not touch crit within a few samples.
 */
function verdict(r: Report) {
  const firing = r.findings.filter((f) => f.state === 'firing').map((f) => f.id);
  return { status: r.status, exitCode: r.exitCode, firing: firing.sort() };
}

describe.skipIf(skip !== undefined)('verdicts under a steady stress-ng --cpu 4', () => {
  it('check --format nagios: ten runs, the same status, exit code and firing rules', async () => {
    startLoad(90);
    await sleep(2000);
    const runs: { code: number | null; status: string; rules: string[] }[] = [];
    for (let i = 0; i < 10; i++) {
      const r = usewatch('check', '--for', '5s', '--format', 'nagios');
      const [head] = r.stdout.split(' | ');
      const rules = head
        .replace(/^USEWATCH \w+ - /, '')
        .split('; ')
        .map((part) => part.split(':')[0])
        .sort();
      runs.push({ code: r.code, status: head.split(' ')[1], rules });
    }
    // The whole window at 100 % CPU: cpu.utilization is past crit on every sample, so CRITICAL.
    expect(runs[0]).toMatchObject({ code: 2, status: 'CRITICAL' });
    expect(runs[0].rules).toContain('cpu.utilization');
    for (const run of runs) expect(run).toEqual(runs[0]);
  });

  it('check --replay of a recorded load reports what the live check reported', async () => {
    startLoad(40);
    await sleep(2000);
    const rec = join(dir, 'stress.ndjson.gz');
    // --for 6s records six frames: the same 5 s window at 1 s as the live check's.
    const recorded = usewatch('record', '--out', rec, '--for', '6s');
    expect(recorded.code, recorded.stderr).toBe(0);
    const live = usewatch('check', '--for', '5s', '--format', 'json');
    const replayed = usewatch('check', '--replay', rec, '--format', 'json');
    expect(replayed.stderr).toBe('');
    const liveReport = JSON.parse(live.stdout) as Report;
    const replayReport = JSON.parse(replayed.stdout) as Report;
    expect(verdict(replayReport)).toEqual(verdict(liveReport));
    expect(replayed.code).toBe(live.code);
    // Both state their window in whole intervals (5 s, or 6 s if a busy tick skipped a slot).
    expect(replayReport.windowMs % 1000).toBe(0);
    expect(liveReport.windowMs % 1000).toBe(0);
    expect(replayReport.findings.find((f) => f.id === 'cpu.utilization@')).toMatchObject({
      state: 'firing',
      severity: 'critical',
      sustainedThroughWindow: true,
    });
    const text = usewatch('check', '--replay', rec);
    expect(text.stdout).toContain(`${replayReport.windowMs / 1000}s window at 1s, 6 samples`);
    expect(text.stdout).toMatch(
      // The load keeps both CPUs busy; a sample may still read 99.5 % (one idle jiffy in two CPUs' 200).
      /CPU busy (99\.\d|100)% \(threshold 90%\)\n +peak (99\.\d|100)%, (99\.\d|100)% on the window's first sample at \d\d:\d\d:\d\dZ, now (99\.\d|100)%/,
    );
    expect(text.stdout).toMatch(/culprits on the last sample at \d\d:\d\d:\d\dZ, ranked by cpu:\n +\d+ \S+ +state /);
  });
});
