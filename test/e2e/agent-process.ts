import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The built CLI that end-to-end tests run, as a user would. */
export const BIN = join(process.cwd(), 'dist/bin/usewatch.js');
export const notBuiltReason = existsSync(BIN) ? undefined : 'the CLI is not built (npm run build)';

/** Runs the built CLI to completion (at most a minute): exit code and output. */
export function usewatch(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function waitFor<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** SIGTERM, then SIGKILL after 5 s: the child is gone when this resolves. */
export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface AgentProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT, from the agent's "listening" log line. */
  url: string;
  /** Every stdout line so far (pino JSON). */
  logs: string[];
}

/** Starts `usewatch agent` on a free loopback port and waits until it listens. */
export async function startAgentProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  nodeArgs: string[] = [],
): Promise<AgentProcess> {
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'agent', '--listen', '127.0.0.1:0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => logs.push(line));
  const url = await waitFor('the agent to listen', 15_000, () => {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}: ${stderr}`);
    for (const line of logs) {
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(line);
      if (m) return m[1];
    }
    return undefined;
  });
  return { child, url, logs };
}
