import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CgroupCounters, CgroupEntry } from '../../src/model/cgroup.js';
import type { Finding, MetricValues } from '../../src/model/frame.js';
import { carriedCgroupIds, topRanked, trimToCarried } from '../../src/pipeline/carried-cgroups.js';

const entry = (id: string): CgroupEntry => ({ id, name: id.slice(1), kind: 'service' });
const ids = ['/a', '/b', '/c', '/d', '/e', '/f', '/g'];
const entries = ids.map(entry);

/** /a and /b busiest on CPU, /c and /a on memory, /d on I/O, /e under pressure; /f and /g idle. */
const metrics = (): MetricValues => ({
  'cgroup.cpu.usage': { '/a': 2, '/b': 1, '/c': 0.1, '/f': 0, '/g': 0 },
  'cgroup.memory.working_set': { '/c': 900, '/a': 800, '/b': 10, '/d': 5, '/e': 5, '/f': 0, '/g': 0 },
  'cgroup.io.read_bps': { '/d': 1000 },
  'cgroup.io.write_bps': { '/d': 10, '/b': 20 },
  'cgroup.memory.pressure': { '/e': 0.3 },
  'cgroup.pids.current': Object.fromEntries(ids.map((id) => [id, 1])),
  'cpu.utilization': { '': 0.5 },
});

const finding = (instance: string, state: Finding['state']): Finding =>
  ({ id: `cgroup.tasks.utilization@${instance}`, instance, state }) as Finding;

describe('the cgroups a frame carries', () => {
  it('takes the top N from the rankings in turn: CPU, working set, I/O, pressure', () => {
    expect([...carriedCgroupIds(metrics(), entries, [], 4)].sort()).toEqual(['/a', '/c', '/d', '/e']);
    // second round: /b (CPU), then /a again (memory) is already in, /b (I/O) too
    expect([...carriedCgroupIds(metrics(), entries, [], 5)].sort()).toEqual(['/a', '/b', '/c', '/d', '/e']);
    expect(carriedCgroupIds(metrics(), entries, [], 0).size).toBe(0);
  });

  it('never carries an idle cgroup for its activity, but always one with a pending or firing finding', () => {
    const all = carriedCgroupIds(metrics(), entries, [], 100);
    expect(all.has('/f')).toBe(false);
    const carried = carriedCgroupIds(
      metrics(),
      entries,
      [finding('/g', 'firing'), finding('/f', 'pending'), finding('/b', 'resolved'), finding('', 'firing')],
      1,
    );
    expect([...carried].sort()).toEqual(['/a', '/f', '/g']);
  });

  it('trims the cgroup metrics, entries and counter rows to the carried ones and leaves host metrics alone', () => {
    const m = metrics();
    const counters: CgroupCounters[] = ids.map((id) => ({ id, pids: 1 }));
    const trimmed = trimToCarried(m, entries, counters, new Set(['/d', '/a']));
    expect(trimmed.entries.map((e) => e.id)).toEqual(['/a', '/d']);
    expect(trimmed.counters?.map((c) => c.id)).toEqual(['/a', '/d']);
    expect(m['cgroup.cpu.usage']).toEqual({ '/a': 2 });
    expect(m['cgroup.io.read_bps']).toEqual({ '/d': 1000 });
    expect(m['cgroup.memory.pressure']).toBeUndefined();
    expect(m['cpu.utilization']).toEqual({ '': 0.5 });
  });

  it('selects the same top of a ranking as sorting every cgroup would, ties by id, those at 0 left out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(0, 0.5, 1, 2, 3, Number.NaN, 1e9), { maxLength: 60 }),
        fc.nat({ max: 70 }),
        (values, k) => {
          const cgroups = values.map((v, i) => ({ id: `/s/${(i * 7919) % 1000}`, v }));
          const byId = new Map(cgroups.map((c) => [c.id, c.v]));
          const sorted = cgroups
            .filter((c) => c.v > 0)
            .sort((a, b) => b.v - a.v || (a.id < b.id ? -1 : 1))
            .slice(0, k);
          expect(
            topRanked(
              cgroups.map((c) => entry(c.id)),
              (id) => byId.get(id) ?? 0,
              k,
            ),
          ).toEqual(sorted);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('carries the same cgroups as taking the rankings in turn from their full sort', () => {
    const measures = [
      'cgroup.cpu.usage',
      'cgroup.memory.working_set',
      'cgroup.io.read_bps',
      'cgroup.cpu.pressure',
    ] as const;
    /** The rule as docs/cgroups.md states it, on every cgroup sorted by every measure. */
    const reference = (m: MetricValues, top: number): string[] => {
      const rankings = measures.map((name) =>
        ids
          .map((id) => ({ id, v: m[name]?.[id] ?? 0 }))
          .filter((x) => x.v > 0)
          .sort((a, b) => b.v - a.v || (a.id < b.id ? -1 : 1)),
      );
      const carried = new Set<string>();
      for (let rank = 0; carried.size < top && rankings.some((r) => rank < r.length); rank++) {
        for (const r of rankings) if (r[rank] !== undefined && carried.size < top) carried.add(r[rank].id);
      }
      return [...carried].sort();
    };
    const level = fc.constantFrom(0, 1, 2, 3);
    const values = fc.tuple(...measures.map(() => fc.array(level, { minLength: ids.length, maxLength: ids.length })));
    fc.assert(
      fc.property(values, fc.nat({ max: 8 }), (columns, top) => {
        const m: MetricValues = Object.fromEntries(
          measures.map((name, k) => [name, Object.fromEntries(ids.map((id, i) => [id, columns[k][i]]))]),
        );
        expect([...carriedCgroupIds(m, entries, [], top)].sort()).toEqual(reference(m, top));
      }),
      { numRuns: 500 },
    );
  });
});
