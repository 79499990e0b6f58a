import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The CPU saturation rules of the default checklist judge interval averages, so a finding raised by
// a load clears within its clear_for (60 s) plus a few ticks once the load stops. The scenario is
// sized for a 2-CPU machine (6 workers: 4 waiting behind the 2 CPUs) and takes about 2.3 minutes.
const CLI = join(process.cwd(), 'dist/bin/usewatch.js');
const hasStressNg = spawnSync('stress-ng', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasStressNg) console.warn('saturation e2e: stress-ng not installed, skipping');

const LOAD_S = 40;
const CLEAR_BUDGET_S = 90;
/** The clear level of the default cpu.saturation.psi rule. */
const PSI_CLEAR = 0.05;

/** Cumulative CPU pressure (PSI some total, µs) of the whole machine. */
function cpuPressureUs(): number {
  return Number(/^some .*total=(\d+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))![1]);
}

interface CheckJson {
  startedAt: number;
  findings: { rule: string; resource: string; dimension: string; state: string }[];
  events: { kind: string; rule: string; ts: number }[];
}

describe.skipIf(!hasStressNg)('default CPU saturation rules after a load', () => {
  it(`stress-ng --cpu 6 for ${LOAD_S} s raises CPU saturation findings, and each clears within ${CLEAR_BUDGET_S} s after the load stops`, async () => {
    expect(existsSync(CLI), `${CLI} is missing: run npm run build first`).toBe(true);
    const windowS = 1 + LOAD_S + CLEAR_BUDGET_S + 2;
    const check = new Promise<CheckJson>((resolve, reject) => {
      execFile(
        process.execPath,
        [CLI, 'check', '--for', `${windowS}s`, '--interval', '1s', '--format', 'json'],
        { maxBuffer: 256 * 1024 * 1024 },
        (err, stdout) => {
          // Exit codes 1 and 2 report findings; only a report that is not JSON is a failure.
          try {
            resolve(JSON.parse(stdout) as CheckJson);
          } catch {
            reject(err ?? new Error(`not JSON: ${stdout.slice(0, 200)}`));
          }
        },
      );
    });
    await new Promise((r) => setTimeout(r, 1000));
    const load = spawn('stress-ng', ['--cpu', '6', '--timeout', `${LOAD_S}s`, '--quiet'], { stdio: 'ignore' });
    const stoppedAt = await new Promise<number>((resolve) => load.on('exit', () => resolve(Date.now())));
    const pressureAtStop = cpuPressureUs();
    const report = await check;
    const pressureAfter = (cpuPressureUs() - pressureAtStop) / 1e6 / ((Date.now() - stoppedAt) / 1000);
    const after = `CPU pressure of the machine after the load: ${(pressureAfter * 100).toFixed(1)}% of the time`;

    const cpuSaturation = new Set(
      report.findings.filter((f) => f.resource === 'cpu' && f.dimension === 'saturation').map((f) => f.rule),
    );
    const raised = report.events.filter((e) => e.kind === 'raised' && cpuSaturation.has(e.rule));
    const clearedAfterS = raised.map(({ rule }) => {
      const resolved = report.events.find((e) => e.kind === 'resolved' && e.rule === rule);
      return { rule, seconds: resolved === undefined ? undefined : (resolved.ts - stoppedAt) / 1000 };
    });
    console.info(`${JSON.stringify(clearedAfterS)}; ${after}`);
    expect(raised.map((e) => e.rule)).toContain('cpu.saturation.runqueue');
    for (const { rule, seconds } of clearedAfterS) {
      // PSI measures the whole machine: when other work kept it above the rule's clear level after
      // the load, the finding is right to stay raised (a shared CI runner, other jobs), so only that
      // rule is let off, and it says so.
      if (rule === 'cpu.saturation.psi' && pressureAfter > PSI_CLEAR && seconds === undefined) {
        console.warn(`${rule} stayed raised: other work kept the machine's CPU pressure above ${PSI_CLEAR * 100}%`);
        continue;
      }
      expect(
        seconds ?? Number.POSITIVE_INFINITY,
        `${rule}: resolved, seconds after the load stopped (never: Infinity) (${after})`,
      ).toBeLessThanOrEqual(CLEAR_BUDGET_S);
    }
  }, 170_000);
});
