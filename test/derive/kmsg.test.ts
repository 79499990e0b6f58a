import { describe, expect, it } from 'vitest';
import type { KernelEventCounts, KmsgSample } from '../../collectors/kmsg.js';
import { deriveKmsg } from '../../src/derive/kmsg.js';
import { type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';
import { KERNEL_EVENT_KINDS } from '../../src/model/frame.js';

function sample(counts: Partial<KernelEventCounts>): KmsgSample {
  const zero = Object.fromEntries(KERNEL_EVENT_KINDS.map((k) => [k, 0])) as KernelEventCounts;
  return { events: [], counts: { ...zero, ...counts } };
}

function run(prev: KmsgSample | undefined, cur: KmsgSample): MetricSink {
  const ctx: DeriveContext = { dtSeconds: 2, out: new MetricSink(), config: defaultDeriveConfig };
  deriveKmsg(prev, cur, ctx);
  return ctx.out;
}

describe('deriveKmsg', () => {
  it('sets the per-interval count of each error kind, zeros included, even on the first sample', () => {
    const m = run(
      undefined,
      sample({ oom: 3, io_error: 2, mce: 1, fs_error: 4, file_max: 5, fork_rejected: 6, conntrack_full: 7 }),
    );
    expect(m.values).toEqual({
      'cpu.machine_check_events': { '': 1 },
      'memory.kernel_oom_events': { '': 3 },
      'disk.kernel_io_errors': { '': 2 },
      'fs.kernel_errors': { '': 4 },
      'fd.kernel_file_max_events': { '': 5 },
      'tasks.kernel_fork_rejected': { '': 6 },
      'conntrack.kernel_table_full': { '': 7 },
    });
    expect(run(sample({ oom: 3 }), sample({})).get('memory.kernel_oom_events')).toBe(0);
  });

  it('keeps allocation failures and SYN floods as events only', () => {
    const m = run(undefined, sample({ alloc_failure: 2, syn_flood: 9 }));
    expect(Object.values(m.values).every((byInstance) => byInstance[''] === 0)).toBe(true);
  });
});
