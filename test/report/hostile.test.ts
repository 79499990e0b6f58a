import { describe, expect, it } from 'vitest';
import { FRAME_SCHEMA, type Frame } from '../../src/model/frame.js';
import { renderNagios } from '../../src/report/nagios.js';
import { summarizeRun } from '../../src/report/run.js';
import { renderText } from '../../src/report/text.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { checklist, proc, rule } from '../use/helpers.js';

const T0 = 1_700_000_000_000;
/** An instance and a process named to take over a terminal: title, clear screen, fake line, RTL. */
const DISK = 'vda\x1b]0;owned\x07\x1b[2J\nUSEWATCH OK - all fine\u202e|x';
const COMM = 'evil\x1b[31m) R\r\x9b2Jz\ud800';
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e\ud800-\udfff]/;

const set = checklist([
  rule({
    id: 'disk.utilization',
    metric: 'disk.utilization',
    warn: 0.6,
    crit: 0.9,
    summary: '{instance} busy {value}',
  }),
]);

function frames(count: number): Frame[] {
  const ev = new UseEvaluator({ checklist: set });
  const processes = [proc(66, COMM, { cpu: 0.5, cmd: `${COMM} --flag\x1b]8;;http://x\x07` })];
  return Array.from({ length: count }, (_, seq) => {
    const ts = T0 + seq * 1000;
    const metrics = { 'disk.utilization': { [DISK]: 0.95 } };
    return {
      schema: FRAME_SCHEMA,
      seq,
      ts,
      intervalMs: 1000,
      host: { hostname: 'box\x1b[H', kernel: '6.1.0', cpus: 2, agentVersion: '0.1.0' },
      metrics,
      ...ev.evaluate({ metrics, processes, ts }),
      processes,
      kernelEvents: [],
      sources: [],
      self: { tickMs: 1, tickCpuMs: 1, collectors: [], skippedTicks: 0, rssBytes: 1 },
    } satisfies Frame;
  });
}

describe('hostile names in text reports', () => {
  const run = summarizeRun(frames(4), set, { intervalMs: 1000 });

  it('the text report shows the names without any control character, in colour or not', () => {
    for (const color of [false, true]) {
      const text = renderText(run, { color });
      const withoutOwnColours = text.replace(/\x1b\[[0-9;]*m/g, '');
      expect(withoutOwnColours).not.toMatch(UNSAFE);
      expect(withoutOwnColours).not.toContain('\x1b');
      expect(withoutOwnColours).toContain('vda?USEWATCH OK - all fine?|x');
    }
    expect(renderText(run, { color: false })).toMatch(/66 evil\) R\?z\?/);
  });

  it('nagios stays one line, its perfdata label holds the sanitised name', () => {
    const line = renderNagios(run);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toMatch(UNSAFE);
    expect(line).not.toContain('\x1b');
    expect(line).toMatch(/^USEWATCH CRITICAL - disk\.utilization@vda\?USEWATCH OK - all fine\?\/x: /);
    expect(line).toContain("'disk.utilization:vda?USEWATCH OK - all fine?_x'=95%;60;90");
    expect(line.split('|')).toHaveLength(2);
  });
});
