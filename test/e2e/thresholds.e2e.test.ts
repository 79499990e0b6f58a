import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// Thresholds written with units, through the built CLI (npm run build first).
const CLI = join(process.cwd(), 'dist/bin/usewatch.js');
const hasStressNg = spawnSync('stress-ng', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasStressNg) console.warn('thresholds e2e: stress-ng not installed, skipping the CPU scenario');

function usewatch(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

let dir: string;
let load: ChildProcess | undefined;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the e2e tests`);
  dir = await mkdtemp(join(tmpdir(), 'usewatch-thresholds-e2e-'));
});

afterEach(() => {
  if (load?.pid !== undefined && load.exitCode === null) process.kill(-load.pid, 'SIGTERM');
  load = undefined;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function checklistFile(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('thresholds with units', () => {
  it('checklist validate refuses a bare 70 on a ratio and a negative duration, at file:line:col with the accepted forms', async () => {
    const file = await checklistFile(
      'bad.yaml',
      'overrides:\n  - rule: cpu.utilization\n    warn: 70\n    crit: 90\n  - rule: disk.saturation.await\n    warn: -5ms\n',
    );
    const r = await usewatch(['checklist', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:3:11: override of "cpu.utilization": warn: 70 is above 1 (a bare ratio is a share 0–1): for 70 percent write "70%" or 0.7;`,
    );
    expect(r.stderr).toContain(`${file}:4:11: override of "cpu.utilization": crit: 90 is above 1`);
    expect(r.stderr).toContain(
      `${file}:6:11: override of "disk.saturation.await": warn: -5ms is negative; disk.await_ms accepts "50ms", "1.5s", "500us" or 50`,
    );
  });

  it('checklist show prints thresholds in the form an override may be written in', async () => {
    const file = await checklistFile(
      'pct.yaml',
      'overrides:\n  - rule: cpu.utilization\n    warn: 50%\n    crit: 0.6\n    clear: 40%\n',
    );
    expect((await usewatch(['checklist', 'validate', file])).code).toBe(0);
    const show = await usewatch(['checklist', 'show', '--checklist', file]);
    expect(show.stdout).toMatch(/^cpu\.utilization +cpu\/U +cpu\.utilization +> 70% +> 90% +60% /m);
    expect(show.stdout).toContain('cpu.utilization @ *: warn 50%, crit 60%, clear 40%');
  });

  it.skipIf(!hasStressNg)('an override written in percent fires as written, and perfdata is in percent', async () => {
    const file = await checklistFile(
      'busy.yaml',
      'overrides:\n  - rule: cpu.utilization\n    warn: 50%\n    crit: 60%\n    clear: 40%\n    for: 0s\n',
    );
    load = spawn('stress-ng', ['--cpu', String(availableParallelism()), '--timeout', '20s', '--quiet'], {
      stdio: 'ignore',
      detached: true,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const r = await usewatch(['check', '--for', '4s', '--interval', '1s', '--format', 'nagios', '--checklist', file]);
    expect(r.stdout).toMatch(/^USEWATCH CRITICAL - .*cpu\.utilization: /);
    expect(r.stdout).toMatch(/'cpu\.utilization'=(9\d|100)(\.\d+)?%;50;60 /);
    expect(r.code).toBe(2);
  });
});
