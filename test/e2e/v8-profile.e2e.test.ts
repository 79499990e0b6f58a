import { mkdtempSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProcTree } from '../../bench/fixture-procs.js';
import { BIG_HOST_PROCESSES } from '../../src/agent/v8-profile.js';
import { type AgentProcess, notBuiltReason, startAgentProcess, stopProcess, waitFor } from './agent-process.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'usewatch-e2e-opt-'));
  dirs.push(d);
  return d;
};
const agents: AgentProcess[] = [];
afterAll(async () => {
  await Promise.all(agents.map((a) => stopProcess(a.child)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** V8's --trace-opt line for a function TurboFan finished compiling. */
const TURBOFAN = /^\[completed optimizing .*\(target TURBOFAN\)/;
const SWITCHED = "V8's settings for a big host";

/** A --root whose proc can be swapped for another tree while the agent reads it. */
function swappableRoot(processes: number): { root: string; swapTo: (processes: number) => void } {
  const root = tempDir();
  const tree = (count: number) => {
    const dir = tempDir();
    generateProcTree(dir, count);
    return dir;
  };
  const first = tree(processes);
  symlinkSync(join(first, 'proc'), join(root, 'proc'));
  symlinkSync(join(first, 'etc'), join(root, 'etc'));
  return {
    root,
    swapTo(count) {
      const next = join(root, 'proc.next');
      symlinkSync(join(tree(count), 'proc'), next);
      renameSync(next, join(root, 'proc'));
    },
  };
}

describe.skipIf(notBuiltReason)("V8's settings by host size (the agent's own)", () => {
  it('keeps TurboFan off on a small host, even where hot code would have been compiled, and turns it on when the host grows past the threshold', async () => {
    const small = 60;
    const grown = BIG_HOST_PROCESSES + 70;
    const host = swappableRoot(small);
    const args = ['--root', host.root, '--interval', '100ms', '--log-level', 'info'];
    // The operator's own tier flag: the agent leaves V8 as told, so TurboFan compiles the tick's hot
    // code within seconds at 10 ticks a second. That shows the other agent's silence means something.
    const told = await startAgentProcess(args, {}, ['--trace-opt', '--max-opt=999']);
    agents.push(told);
    const auto = await startAgentProcess(args, {}, ['--trace-opt']);
    agents.push(auto);

    await waitFor('TurboFan to compile in the agent given --max-opt=999', 30_000, () =>
      told.logs.some((l) => TURBOFAN.test(l)) ? true : undefined,
    );
    // Ten more seconds of ticks on the small host
    await new Promise((r) => setTimeout(r, 10_000));
    expect(auto.logs.filter((l) => TURBOFAN.test(l))).toEqual([]);
    expect(auto.logs.some((l) => l.includes(SWITCHED))).toBe(false);
    expect(told.logs.some((l) => l.includes(SWITCHED))).toBe(false);

    host.swapTo(grown);
    const switched = await waitFor('the switch to be logged', 15_000, () => {
      const i = auto.logs.findIndex((l) => l.includes(SWITCHED));
      return i < 0 ? undefined : i;
    });
    expect(JSON.parse(auto.logs[switched])).toMatchObject({ level: 30, processes: grown });
    await waitFor('TurboFan to compile after the switch', 60_000, () =>
      auto.logs.slice(switched).some((l) => TURBOFAN.test(l)) ? true : undefined,
    );
    // the agent given its own flag never switches, whatever the host's size
    expect(told.logs.some((l) => l.includes(SWITCHED))).toBe(false);
    const health = await fetch(`${auto.url}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);
});
