import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentProcess, notBuiltReason, startAgentProcess, stopProcess } from './agent-process.js';

/**
 * The agent's V8 settings (src/agent/footprint.ts), seen from outside: `--trace-opt` makes V8 print
 * a line for every function its optimising compiler finishes, on the agent's stdout beside its log.
 */
let agent: AgentProcess | undefined;

afterEach(async () => {
  await stopProcess(agent?.child);
  agent = undefined;
});

/** V8's lines for TurboFan compilations among what the agent printed until it stopped. */
async function turbofanLinesOver(seconds: number, nodeArgs: string[]): Promise<string[]> {
  agent = await startAgentProcess([], {}, ['--trace-opt', ...nodeArgs]);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { logs, child } = agent;
  const closed = child.stdout!.closed ? Promise.resolve() : once(child.stdout!, 'close');
  await stopProcess(child);
  // V8 writes through C's buffered stdout, flushed when the process exits.
  await closed;
  return logs.filter((line) => /completed optimizing.*TURBOFAN/.test(line));
}

describe.skipIf(notBuiltReason !== undefined)('the agent’s V8 settings', () => {
  it('runs the agent without the optimising compiler, unless node is told otherwise', async () => {
    expect(await turbofanLinesOver(4, [])).toEqual([]);
    // The same run with --max-opt given to node: its hot parsers are compiled within seconds.
    expect((await turbofanLinesOver(4, ['--max-opt=999'])).length).toBeGreaterThan(0);
  }, 40_000);
});
