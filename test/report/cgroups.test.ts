import { describe, expect, it } from 'vitest';
import type { CgroupEntry } from '../../src/model/cgroup.js';
import type { Frame } from '../../src/model/frame.js';
import { renderJson } from '../../src/report/json.js';
import { renderNagios } from '../../src/report/nagios.js';
import { summarizeRun } from '../../src/report/run.js';
import { renderText } from '../../src/report/text.js';
import { cgroupFrame, frame, nginx, throttledFinding, web } from '../tui/frames.js';
import { checklist } from '../use/helpers.js';

const MIB = 1 << 20;
const set = checklist([]);
const window = { intervalMs: 1000 };

/** Five samples: web's CPU and working set climb, it has an OOM kill and 7 memory.max events per interval. */
function frames(extra: (seq: number, f: Frame) => Frame = (_, f) => f): Frame[] {
  return Array.from({ length: 5 }, (_, seq) => {
    const f = cgroupFrame(seq, { findings: [throttledFinding] });
    const metrics = {
      ...f.metrics,
      'cgroup.cpu.usage': { ...f.metrics['cgroup.cpu.usage'], [web.id]: 0.9 + seq * 0.02 },
      'cgroup.memory.working_set': { ...f.metrics['cgroup.memory.working_set'], [web.id]: (200 + seq * 10) * MIB },
    };
    return extra(seq, { ...f, metrics });
  });
}

describe('check report: services and containers', () => {
  const run = summarizeRun(frames(), set, window);

  it('folds each carried cgroup: rates as means, memory and tasks at their peak, events as totals', () => {
    const w = run.cgroups.find((c) => c.id === web.id);
    expect(w).toMatchObject({
      name: 'web',
      kind: 'container',
      runtime: 'docker',
      memoryMaxBytes: 256 * MIB,
      samples: 5,
    });
    // Rates from the four samples with an interval: 0.92, 0.94, 0.96, 0.98.
    expect(w?.cpu.usage).toBeCloseTo(0.95, 6);
    expect(w?.cpu.throttled).toBeCloseTo(0.6, 6);
    expect(w?.memory.workingSetPeakBytes).toBe(240 * MIB);
    expect(w?.memory.oomKills).toBe(4);
    expect(w?.memory.maxEvents).toBe(28);
    expect(w?.pids.forkFailures).toBeUndefined();
    expect(w?.findings).toEqual([throttledFinding.id]);
    expect(run.cgroups.map((c) => c.name)).toEqual(['web', 'nginx.service', 'shop/cart-7d/cart']);
  });

  it('writes a section in the text report with throttling, memory against the limit, OOM kills and pressure', () => {
    const text = renderText(run, { color: false });
    const section = text.slice(text.indexOf('\nServices and containers\n'), text.indexOf('\nGaps'));
    expect(section).toMatch(
      /NAME +KIND +CPU +CPU% +THROTTLED +MEM PEAK +READ +WRITE +PSI c\/m\/io +OOM KILLS +PIDS PEAK +FORKS FAILED +FINDINGS/,
    );
    expect(section).toMatch(
      /\n {2}web +container +0\.95 +98% +60% +240M\/256M \(97\.7%\) +0B\/s +5M\/s +40%\/20%\/5% +4 +40 +- +cgroup\.cpu\.throttled@\/system\.slice\/docker-0f3a9c\.scope/,
    );
    expect(section).toMatch(/\n {2}nginx\.service +service +0\.5 +25% +5% +100M\/400M \(25%\) .* 0 +12\/100 +0 *\n/);
    expect(section).toContain('the 5 busiest by CPU and by memory');
    expect(text.indexOf('Services and containers')).toBeGreaterThan(text.indexOf('Findings'));
  });

  it('keeps the busiest five by CPU and by memory, and any cgroup with a refused fork', () => {
    const many: CgroupEntry[] = Array.from({ length: 12 }, (_, i) => ({
      id: `/system.slice/svc-${i}.service`,
      name: `svc-${i}.service`,
      kind: 'service',
    }));
    const busy = frames((seq, f) => {
      const metrics = { ...f.metrics };
      metrics['cgroup.cpu.usage'] = { ...metrics['cgroup.cpu.usage'] };
      metrics['cgroup.memory.working_set'] = { ...metrics['cgroup.memory.working_set'] };
      metrics['cgroup.pids.fork_failures'] = { [many[11].id]: seq };
      for (const [i, c] of many.entries()) {
        metrics['cgroup.cpu.usage'][c.id] = i === 11 ? 0 : 0.2 + i / 100;
        metrics['cgroup.memory.working_set'][c.id] = i === 11 ? 0 : 1000 * MIB + i * MIB;
      }
      return { ...f, metrics, cgroups: [...(f.cgroups ?? []), ...many] };
    });
    const names = summarizeRun(busy, set, window).cgroups.map((c) => c.name);
    // By CPU: web, nginx and svc-10…svc-8; by memory: svc-10…svc-6; then svc-11 for its failed forks.
    expect(names).toEqual([
      'web',
      'nginx.service',
      'svc-10.service',
      'svc-9.service',
      'svc-8.service',
      'svc-7.service',
      'svc-6.service',
      'svc-11.service',
    ]);
    expect(renderText(summarizeRun(busy, set, window), { color: false })).toMatch(/svc-11\.service .* 10 *\n/);
  });

  it('labels a cgroup in the matrix and the findings by its name', () => {
    const cell = {
      resource: 'cpu',
      instance: web.id,
      dimension: 'saturation',
      status: 'critical',
      metric: 'cgroup.cpu.throttled',
      value: 0.6,
      unit: 'ratio',
    } as const;
    const withCell = summarizeRun(
      frames((_, f) => ({ ...f, use: [...f.use, cell] })),
      set,
      window,
    );
    const text = renderText(withCell, { color: false });
    expect(text).toMatch(/\ncpu +web +– +60% CRIT +–\n/);
    expect(text).toContain('[CRITICAL] cgroup.cpu.throttled (cpu saturation, web) firing for');
  });

  it('carries the same data in JSON', () => {
    const doc = renderJson(run);
    expect(doc.cgroups).toHaveLength(3);
    expect(doc.cgroups[0]).toMatchObject({
      id: web.id,
      name: 'web',
      memory: { workingSetPeakBytes: 240 * MIB, oomKills: 4, maxEvents: 28 },
      io: { writeBps: 5 * MIB },
      findings: [throttledFinding.id],
    });
    expect(JSON.parse(JSON.stringify(doc)).cgroups[1]).toMatchObject({
      id: nginx.id,
      pidsMax: 100,
      pids: { peak: 12 },
    });
  });

  it('says none were carried for frames from before cgroups were read', () => {
    const old = summarizeRun([frame(0), frame(1), frame(2)], set, window);
    expect(old.cgroups).toEqual([]);
    expect(renderText(old, { color: false })).toContain('Services and containers\n  none carried in the window\n');
    expect(renderJson(old).cgroups).toEqual([]);
  });

  it("names the cgroup in Nagios output through the finding's summary", () => {
    expect(renderNagios(run)).toMatch(
      /^USEWATCH CRITICAL - cgroup\.cpu\.throttled@\/system\.slice\/docker-0f3a9c\.scope: web throttled in 60% of CPU periods \(threshold 25%\)/,
    );
  });

  it('prints a hostile cgroup name inert in text, and exactly in JSON', () => {
    const evilName = 'evil\x1b]0;owned\x07\x1b[2J\nUSEWATCH OK\u202e';
    const hostile = frames((_, f) => ({ ...f, cgroups: [{ ...nginx, name: evilName }, web] }));
    const checked = summarizeRun(hostile, set, window);
    for (const color of [false, true]) {
      const text = renderText(checked, { color });
      expect(text).not.toMatch(/[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f-\x9f\u202e]|\x1b[^[]|\x1b\[2J/);
      expect(text).toContain('evil?USEWATCH OK?');
    }
    expect(renderJson(checked).cgroups.map((c) => c.name)).toContain(evilName);
  });
});
