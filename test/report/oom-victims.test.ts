import { describe, expect, it } from 'vitest';
import type { Frame, KernelEvent } from '../../src/model/frame.js';
import { renderJson } from '../../src/report/json.js';
import { summarizeRun } from '../../src/report/run.js';
import { renderText } from '../../src/report/text.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { makeFrame } from '../recorder/helpers.js';
import { checklist, hostOomRule } from '../use/helpers.js';

const T0 = 1_700_000_000_000;
const set = checklist([hostOomRule]);

const kill: KernelEvent = {
  ts: T0 + 1900,
  resource: 'memory',
  kind: 'oom',
  text: 'Memory cgroup out of memory: Killed process 1234 (stress-ng-vm) total-vm:177664kB, anon-rss:27260kB, file-rss:580kB, shmem-rss:0kB, UID:0 pgtables:128kB oom_score_adj:1000',
};

/** Three ticks: the kill is logged on the second, the counter moves on the third. */
function frames(): Frame[] {
  const ev = new UseEvaluator({ checklist: set });
  return [0, 0, 1].map((kills, seq) => {
    const ts = T0 + seq * 1000;
    const metrics = { 'memory.oom_kills': { '': kills } };
    const kernelEvents = seq === 1 ? [kill] : [];
    const evaluation = ev.evaluate({ metrics, processes: [], kernelEvents, ts });
    return { ...makeFrame(seq + 1, ts), metrics, ...evaluation, processes: [], kernelEvents };
  });
}

describe("check names an OOM finding's victims", () => {
  const run = summarizeRun(frames(), set, { intervalMs: 1000 });

  it('in the text report, with when and how much memory', () => {
    const text = renderText(run, { color: false });
    expect(text).toMatch(
      /killed by the OOM killer \(kernel log\):\n +1234 stress-ng-vm {2}at \d\d:\d\d:\d\dZ {2}rss 27\.2M/,
    );
  });

  it('in the JSON report', () => {
    const json = renderJson(run);
    const finding = json.findings.find((f) => f.rule === 'memory.errors.oom_kill');
    expect(finding?.evidence.victims).toEqual([
      { pid: 1234, name: 'stress-ng-vm', ts: T0 + 1900, rssBytes: 27840 * 1024 },
    ]);
  });
});
