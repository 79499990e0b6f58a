import { describe, expect, it } from 'vitest';
import { formatProblem, inspectChecklist, loadChecklist } from '../../src/checklist/load.js';
import { DIMENSIONS, RESOURCES } from '../../src/model/frame.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { checklist, DEFAULT_ANALYSIS, oscillate } from '../use/helpers.js';

describe('the default checklist (checklists/linux-use.yaml)', () => {
  it('loads without a single problem', async () => {
    const { problems } = await inspectChecklist([]);
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it("sets every level of the 60-second analysis, at Gregg's figures", async () => {
    expect((await loadChecklist()).analysis).toEqual(DEFAULT_ANALYSIS);
  });

  it('every rule cites its threshold source and says what to run next', async () => {
    const set = await loadChecklist();
    for (const r of set.rules) {
      expect.soft(r.ref, r.id).toMatch(/\[G\]|\[NM\]|\[P\]|\[OOMD\]|Netdata|Glances/);
      expect.soft(r.next.length, r.id).toBeGreaterThan(0);
    }
  });

  it('covers every USE cell of every resource with a rule or a documented gap', async () => {
    const set = await loadChecklist();
    const missing: string[] = [];
    for (const resource of RESOURCES) {
      for (const dimension of DIMENSIONS) {
        const covered =
          set.rules.some((r) => r.resource === resource && r.dimension === dimension) ||
          set.gaps.some((g) => g.resource === resource && g.dimension === dimension);
        if (!covered) missing.push(`${resource}/${dimension}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('validating the default file by name does not count its ids twice', async () => {
    const { problems } = await inspectChecklist(['checklists/linux-use.yaml']);
    expect(problems).toEqual([]);
  });

  it('anti-flap holds for every default rule: ten minutes of ±1 % around warn raise one finding', async () => {
    // Rules raising on "any" (warn 0) see 1, 0, 1, 0…: those with a `for` never fire (each 0 cancels
    // the pending breach), those without fire once and stay raised; none raises twice.
    const set = await loadChecklist();
    for (const r of set.rules) {
      const level = r.warn ?? r.crit!;
      const ev = new UseEvaluator({ checklist: checklist([r]) });
      const instance = r.instanceKind === 'host' ? '' : 'x0';
      const raised = oscillate(r, level, 600).flatMap(
        (v, i) => ev.evaluate({ metrics: { [r.metric]: { [instance]: v } }, processes: [], ts: i * 1000 }).events,
      );
      const expected = level === 0 && r.forMs > 0 ? [] : ['raised'];
      expect
        .soft(
          raised.map((e) => e.kind),
          r.id,
        )
        .toEqual(expected);
    }
  });
});
