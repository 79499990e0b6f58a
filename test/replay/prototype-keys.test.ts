import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWireJson } from '../../src/model/wire.js';
import { readRecording } from '../../src/replay/reader.js';
import { reevaluate } from '../../src/replay/reevaluate.js';
import { runStatus, summarizeRun } from '../../src/report/run.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { collect, makeFrame, readBack, SEGMENT_HEADER, tempDir } from '../recorder/helpers.js';
import { checklist, cpuUtilizationRule } from '../use/helpers.js';

/** A recorded frame whose metric and instance names reach for the prototype, as a hostile file could. */
function hostileLine(seq: number): string {
  const frame = readBack(makeFrame(seq)) as { metrics: Record<string, unknown> };
  const metrics = JSON.stringify({ x: { constructor: 3 } }).slice(1, -1);
  return JSON.stringify(frame).replace(
    /"metrics":\{/,
    `"metrics":{"__proto__":{"toString":1,"polluted":7},"\\u005f_proto__":{"polluted":8},${metrics},`,
  );
}

describe('names that reach for the prototype', () => {
  it('are dropped when a frame is parsed, at any depth, escaped or not', () => {
    const parsed = parseWireJson(
      '{"a":{"__proto__":{"polluted":1},"prototype":2,"b":{"constructor":3,"c":4}},"\\u005f_proto__":5}',
    );
    expect(parsed).toEqual({ a: { b: { c: 4 } } });
    expect(JSON.stringify(parsed)).toBe('{"a":{"b":{"c":4}}}');
  });

  it('a recording with them replays and folds into a report, and Object.prototype stays clean', async () => {
    const path = join(tempDir(), 'usewatch-20261205T103644Z-000001.ndjson');
    writeFileSync(path, [JSON.stringify(SEGMENT_HEADER), ...[1, 2, 3, 4].map(hostileLine), ''].join('\n'));
    const set = checklist([cpuUtilizationRule]);
    const frames = await collect(reevaluate(await readRecording(path), new UseEvaluator({ checklist: set })));
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(Object.keys(frames[1].metrics)).not.toContain('__proto__');
    expect(frames[1].metrics.x).toEqual({});
    const run = summarizeRun(frames, set, { mode: 'replay' });
    expect(runStatus(run)).toBe('OK');
    expect(Object.keys(run.mean).some((name) => name === '__proto__' || name === 'constructor')).toBe(false);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(run.mean)).toBe(Object.prototype);
  });
});
