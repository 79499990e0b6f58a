import { type Metric, Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import type { Frame } from '../../../src/model/frame.js';
import { type FamilySpec, FrameFamily } from '../../../src/outputs/prometheus/family.js';

/** Label values a mount point or a process name can carry, escaping included. */
const ODD_VALUES = ['/', '/mnt/with space', 'back\\slash', 'new\nline', 'quote"d', '\\"\n', '', 'ünï'];

const spec: FamilySpec = {
  name: 'test_family_bytes',
  help: 'A help text with a \\ and a\nnewline.',
  type: 'gauge',
  read(_f, emit) {
    emit(undefined, 1);
    emit({}, 2);
    ODD_VALUES.forEach((v, i) => {
      emit({ mountpoint: v, fstype: 'ext4' }, i + 0.5);
    });
    emit({ a: 'x' }, 2n ** 64n);
    emit({ a: 'skipped' }, undefined);
    emit({ a: 'not finite' }, Number.NaN);
  },
};

/** Renders through prom-client's own label formatting: a metric offering only the structured get(). */
function structuredOnly(family: FrameFamily): Metric {
  return {
    name: family.name,
    help: family.help,
    type: family.type,
    aggregator: family.aggregator,
    get: () => family.get(),
  } as unknown as Metric;
}

describe('FrameFamily', () => {
  test('its pre-rendered text is what prom-client writes from the structured values', async () => {
    const family = new FrameFamily(spec, () => ({}) as Frame);
    const fast = new Registry();
    fast.registerMetric(family as unknown as Metric);
    const reference = new Registry();
    reference.registerMetric(structuredOnly(family));
    const text = await fast.metrics();
    expect(text).toBe(await reference.metrics());
    expect(text).toContain('test_family_bytes{mountpoint="new\\nline",fstype="ext4"} 3.5');
    expect(text).toContain('test_family_bytes{mountpoint="quote\\"d",fstype="ext4"} 4.5');
    expect(text).toContain('test_family_bytes{a="x"} 18446744073709552000');
    expect(text).not.toContain('skipped');
    expect(text).not.toContain('not finite');
  });

  test('the JSON output keeps the labels as objects', async () => {
    const registry = new Registry();
    registry.registerMetric(new FrameFamily(spec, () => ({}) as Frame) as unknown as Metric);
    const [json] = await registry.getMetricsAsJSON();
    expect(json.values).toContainEqual(
      expect.objectContaining({ labels: { mountpoint: '/', fstype: 'ext4' }, value: 0.5 }),
    );
  });
});
