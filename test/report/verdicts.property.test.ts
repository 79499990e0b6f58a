import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beyond, type Checklist } from '../../src/checklist/model.js';
import { FRAME_SCHEMA, type Frame, type MetricValues, serializeFrame } from '../../src/model/frame.js';
import { expandTables } from '../../src/model/wire.js';
import { reevaluate } from '../../src/replay/reevaluate.js';
import { type CheckRun, runStatus, summarizeRun } from '../../src/report/run.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { MIN_WINDOW_SAMPLES } from '../../src/use/window.js';
import { checklist, cpuUtilizationRule, proc, rule, runqueueRule, timeToFullRule } from '../use/helpers.js';

const T0 = 1_800_000_000_000;
const SEC = 1000;

/**
 * Rules as the default checklist has them: a rate whose `for` outlasts any short window, a gauge
 * with a `for` of a few seconds, a rule that fires at once, and a `below` rule.
 */
const set: Checklist = checklist([
  { ...cpuUtilizationRule, forMs: 60 * SEC, clearForMs: 60 * SEC },
  { ...runqueueRule, forMs: 4 * SEC, clearForMs: 3 * SEC, drilldown: 'run_delay' },
  rule({ id: 'disk.utilization', metric: 'disk.utilization', warn: 0.6, crit: 0.9, clear: 0.5, forMs: 0 }),
  { ...timeToFullRule, forMs: 2 * SEC, clearForMs: 2 * SEC },
]);

/** Metrics of one tick: rates (cpu, disk) exist from the second sample on, gauges from the first. */
interface Tick {
  ts: number;
  cpu: number;
  runqueue: number;
  disk: number;
  hoursToFull: number;
}

const workers = [
  proc(4001, 'stress-ng-cpu', { cpu: 0.98, runDelay: 0.6 }),
  proc(4002, 'stress-ng-cpu', { cpu: 0.95, runDelay: 0.4 }),
];

/** The frames the live pipeline would emit for these ticks, evaluated as the engine does. */
function liveFrames(ticks: readonly Tick[]): Frame[] {
  const ev = new UseEvaluator({ checklist: set });
  return ticks.map((t, i) => {
    const metrics: MetricValues = {
      'cpu.runqueue_per_cpu': { '': t.runqueue },
      'fs.hours_to_full': { '/': t.hoursToFull },
    };
    if (i > 0) {
      metrics['cpu.utilization'] = { '': t.cpu };
      metrics['disk.utilization'] = { vda: t.disk };
    }
    const evaluation = ev.evaluate({ metrics, processes: workers, ts: t.ts });
    return {
      schema: FRAME_SCHEMA,
      seq: i + 1,
      ts: t.ts,
      intervalMs: i === 0 ? 0 : t.ts - ticks[i - 1].ts,
      host: { hostname: 'box', kernel: '6.1.0', cpus: 2, agentVersion: '0.1.0' },
      metrics,
      ...evaluation,
      processes: workers,
      kernelEvents: [],
      sources: [],
      self: { tickMs: 2, tickCpuMs: 1, collectors: [], skippedTicks: 0, rssBytes: 5e7 },
    };
  });
}

/** The frames as a recording holds them (wire form, JSON) re-evaluated with a fresh evaluator. */
async function replayed(frames: readonly Frame[]): Promise<Frame[]> {
  async function* read() {
    for (const f of frames) {
      const wire = JSON.parse(serializeFrame(f)) as Record<string, unknown>;
      expect(expandTables(wire)).toBeUndefined();
      yield wire as unknown as Frame;
    }
  }
  const out: Frame[] = [];
  for await (const f of reevaluate(read(), new UseEvaluator({ checklist: set }))) out.push(f);
  return out;
}

/** What a check reports, as compared across runs: status and each finding's rule, state and severity. */
function verdict(run: CheckRun) {
  return {
    status: runStatus(run),
    findings: run.findings.map((f) => `${f.id} ${f.state} ${f.severity}`).sort(),
  };
}

const value = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });

/** A metric sequence: each value anywhere from quiet to far past crit. */
const ticksArb = fc
  .record({
    interval: fc.integer({ min: 100, max: 2000 }),
    values: fc.array(
      fc.record({
        cpu: value(0, 1),
        runqueue: value(0, 3),
        disk: value(0, 1),
        hoursToFull: value(0, 100),
        jitter: value(-0.2, 0.2),
      }),
      { minLength: 2, maxLength: 40 },
    ),
  })
  .map(({ interval, values }) =>
    values.map((v, i) => ({ ...v, ts: T0 + Math.round((i + v.jitter) * interval) }) satisfies Tick),
  );

describe('one evaluation semantics: live, replayed and folded by check', () => {
  it('the same frames give the same findings, events, status and report', async () => {
    await fc.assert(
      fc.asyncProperty(ticksArb, async (ticks) => {
        const live = liveFrames(ticks);
        const replay = await replayed(live);
        expect(replay.map((f) => f.findings)).toEqual(live.map((f) => f.findings));
        expect(replay.map((f) => f.events)).toEqual(live.map((f) => f.events));
        expect(replay.map((f) => f.use)).toEqual(live.map((f) => f.use));
        const checked = summarizeRun(live, set);
        const fromRecording = summarizeRun(replay, set, { mode: 'replay' });
        expect(fromRecording.findings).toEqual(checked.findings);
        expect(fromRecording.use).toEqual(checked.use);
        expect(runStatus(fromRecording)).toBe(runStatus(checked));
        expect(fromRecording.windowMs).toBe(summarizeRun(live, set, { intervalMs: fromRecording.intervalMs }).windowMs);
      }),
      { numRuns: 150 },
    );
  });
});

describe('a finding judged sustained for the window', () => {
  const field: Record<string, { of: (t: Tick) => number; rate: boolean }> = {
    'cpu.utilization': { of: (t) => t.cpu, rate: true },
    'cpu.saturation.runqueue': { of: (t) => t.runqueue, rate: false },
    'disk.utilization': { of: (t) => t.disk, rate: true },
    'fs.saturation.time_to_full': { of: (t) => t.hoursToFull, rate: false },
  };

  it('was past warn on every evaluable sample, at least three, and is critical only if every one was past crit', () => {
    fc.assert(
      fc.property(ticksArb, (ticks) => {
        const run = summarizeRun(liveFrames(ticks), set);
        for (const f of run.findings.filter((x) => x.sustainedThroughWindow)) {
          const r = set.rules.find((x) => x.id === f.rule)!;
          const values = ticks.slice(field[f.rule].rate ? 1 : 0).map(field[f.rule].of);
          expect(values.length).toBeGreaterThanOrEqual(MIN_WINDOW_SAMPLES);
          expect(values.every((v) => beyond(r.direction, v, r.warn!))).toBe(true);
          expect(f.severity === 'critical').toBe(values.every((v) => beyond(r.direction, v, r.crit!)));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Samples of a window, enough to judge it, each breaching every rule; the same values whatever the timing. */
const breachArb = fc.record({
  samples: fc.integer({ min: MIN_WINDOW_SAMPLES, max: 30 }),
  interval: fc.integer({ min: 100, max: 2000 }),
  cpu: value(0.71, 1),
  runqueue: value(1.01, 4),
  disk: value(0.61, 1),
  hoursToFull: value(0, 7.9),
});

type Breach = { samples: number; interval: number; cpu: number; runqueue: number; disk: number; hoursToFull: number };

function breachTicks(b: Breach, offsets: readonly number[]): Tick[] {
  return Array.from({ length: b.samples + 1 }, (_, i) => ({
    ts: T0 + Math.round(offsets[i] * b.interval),
    cpu: b.cpu,
    runqueue: b.runqueue,
    disk: b.disk,
    hoursToFull: b.hoursToFull,
  }));
}

describe('a breach that covers the whole window', () => {
  const jitters = fc.array(value(-0.2, 0.2), { minLength: 31, maxLength: 31 });

  it('is judged the same for every jitter of ±20 % of the interval, per tick or accumulated', () => {
    fc.assert(
      fc.property(breachArb, jitters, (b, jitter) => {
        const steady = verdict(
          summarizeRun(
            liveFrames(
              breachTicks(
                b,
                jitter.map((_, i) => i),
              ),
            ),
            set,
            { intervalMs: b.interval },
          ),
        );
        // Each tick late or early against its slot, as the aligned scheduler fires them.
        const perTick = jitter.map((j, i) => i + j);
        // Each interval stretched or shrunk, the error accumulating over the window.
        const accumulated: number[] = [];
        let at = 0;
        for (let i = 0; i < jitter.length; i++) {
          accumulated.push(at);
          at += 1 + jitter[i];
        }
        expect(verdict(summarizeRun(liveFrames(breachTicks(b, perTick)), set, { intervalMs: b.interval }))).toEqual(
          steady,
        );
        expect(verdict(summarizeRun(liveFrames(breachTicks(b, accumulated)), set, { intervalMs: b.interval }))).toEqual(
          steady,
        );
        // Every rule fires, at the worst severity its values reach.
        expect(steady.findings.every((f) => f.includes(' firing '))).toBe(true);
        expect(steady.findings).toHaveLength(4);
      }),
      { numRuns: 300 },
    );
  });

  it('a rule whose `for` outlasts the window fires for the window, marked as such, and its cell says so', () => {
    const run = summarizeRun(
      liveFrames(
        breachTicks(
          { samples: 10, interval: SEC, cpu: 1, runqueue: 1.5, disk: 0.7, hoursToFull: 100 },
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        ),
      ),
      set,
      { intervalMs: SEC },
    );
    const cpu = run.findings.find((f) => f.rule === 'cpu.utilization');
    expect(cpu).toMatchObject({ state: 'firing', severity: 'critical', sustainedThroughWindow: true });
    expect(run.use.find((c) => c.metric === 'cpu.utilization')?.status).toBe('critical');
    expect(runStatus(run)).toBe('CRITICAL');
    expect(run.windowMs).toBe(10 * SEC);
  });

  it('a breach that began inside the window stays pending and does not count', () => {
    const ticks = breachTicks(
      { samples: 10, interval: SEC, cpu: 1, runqueue: 0.5, disk: 0.1, hoursToFull: 100 },
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    ticks[1].cpu = 0.3; // the first sample with a CPU rate is quiet: the breach starts a second later
    const run = summarizeRun(liveFrames(ticks), set, { intervalMs: SEC });
    expect(run.findings).toMatchObject([{ rule: 'cpu.utilization', state: 'pending' }]);
    expect(runStatus(run)).toBe('OK');
  });
});
