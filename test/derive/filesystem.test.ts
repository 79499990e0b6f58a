import { describe, expect, it } from 'vitest';
import type { FilesystemSample, MountSample, StatfsValues } from '../../collectors/filesystem.js';
import { createFilesystemDeriver, hoursToFull } from '../../src/derive/filesystem.js';
import { type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';

const GiB = 2 ** 30;

function mount(mountPoint: string, stats: StatfsValues | undefined, extra: Partial<MountSample> = {}): MountSample {
  const m: MountSample = {
    mountPoint,
    fstype: 'ext4',
    source: '/dev/sda1',
    device: '8:1',
    readonly: false,
    stuck: false,
    ...extra,
  };
  if (stats !== undefined) m.stats = stats;
  return m;
}

function sample(...mounts: MountSample[]): FilesystemSample {
  return { mounts: new Map(mounts.map((m) => [m.mountPoint, m])) };
}

/** 4 KiB blocks; `availGiB` of 100 GiB available. */
function stats(availGiB: number, files = 1000): StatfsValues {
  const blocks = (100 * GiB) / 4096;
  const bavail = (availGiB * GiB) / 4096;
  return { bsize: 4096, blocks, bfree: bavail + 1000, bavail, files, ffree: files / 4 };
}

function step(
  derive: ReturnType<typeof createFilesystemDeriver>,
  prev: FilesystemSample | undefined,
  cur: FilesystemSample,
  dt = 10,
) {
  const ctx: DeriveContext = { dtSeconds: dt, out: new MetricSink(), config: defaultDeriveConfig };
  derive(prev, cur, ctx);
  return ctx.out;
}

describe('createFilesystemDeriver', () => {
  it('computes df semantics: used over the space usable by non-root users', () => {
    const s: StatfsValues = { bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 200, ffree: 50 };
    const out = step(createFilesystemDeriver(), undefined, sample(mount('/', s)));
    expect(out.get('fs.utilization', '/')).toBe(700 / 950);
    expect(out.get('fs.inode_utilization', '/')).toBe(0.75);
    expect(out.get('fs.size_bytes', '/')).toBe(4096 * 1000);
    expect(out.get('fs.avail_bytes', '/')).toBe(4096 * 250);
    expect(out.get('fs.used_bytes', '/')).toBe(4096 * 700);
    expect(out.get('fs.readonly', '/')).toBe(0);
    expect(out.get('fs.stuck', '/')).toBe(0);
    expect(out.get('fs.hours_to_full', '/')).toBeUndefined();
  });

  it('skips inode utilization when the filesystem has no inode limit (files = 0)', () => {
    const out = step(createFilesystemDeriver(), undefined, sample(mount('/btrfs', stats(50, 0))));
    expect(out.get('fs.inode_utilization', '/btrfs')).toBeUndefined();
    expect(out.get('fs.utilization', '/btrfs')).toBeDefined();
  });

  it('flags read-only and stuck mounts; a stuck mount has no capacity values', () => {
    const out = step(
      createFilesystemDeriver(),
      undefined,
      sample(mount('/ro', stats(1), { readonly: true }), mount('/nfs', undefined, { stuck: true })),
    );
    expect(out.get('fs.readonly', '/ro')).toBe(1);
    expect(out.get('fs.stuck', '/nfs')).toBe(1);
    expect(out.get('fs.utilization', '/nfs')).toBeUndefined();
  });

  it('counts ext4 errors in the interval, none on the first sample', () => {
    const derive = createFilesystemDeriver();
    const a = sample(mount('/', stats(50), { errorsCount: 3 }));
    expect(step(derive, undefined, a).get('fs.errors', '/')).toBeUndefined();
    expect(step(derive, a, sample(mount('/', stats(50), { errorsCount: 5 }))).get('fs.errors', '/')).toBe(2);
  });

  it('predicts hours to full from a falling trend once two minutes of history exist', () => {
    const derive = createFilesystemDeriver();
    let prev: FilesystemSample | undefined;
    let last: MetricSink | undefined;
    // 1 GiB per minute lost from 50 GiB: 10 s ticks over 3 minutes
    for (let i = 0; i <= 18; i++) {
      const cur = sample(mount('/', stats(50 - i / 6)));
      last = step(derive, prev, cur, 10);
      if (i === 11) expect(last.get('fs.hours_to_full', '/')).toBeUndefined(); // 110 s of history
      prev = cur;
    }
    // 47 GiB left at 1 GiB/min
    expect(last!.get('fs.hours_to_full', '/')).toBeCloseTo(47 / 60, 6);
  });

  it('gives no time to full while avail is flat or rising', () => {
    const derive = createFilesystemDeriver();
    let prev: FilesystemSample | undefined;
    let last: MetricSink | undefined;
    for (let i = 0; i <= 18; i++) {
      const cur = sample(mount('/', stats(50 + i)));
      last = step(derive, prev, cur, 10);
      prev = cur;
    }
    expect(last!.get('fs.hours_to_full', '/')).toBeUndefined();
  });

  it('looks only at the last 10 minutes of history', () => {
    const points = [
      { t: 0, avail: 100 },
      { t: 300, avail: 100 },
    ];
    expect(hoursToFull(points, 120)).toBeUndefined();
    const derive = createFilesystemDeriver({ trendWindowSeconds: 600 });
    let prev: FilesystemSample | undefined;
    let last: MetricSink | undefined;
    // falling fast for 10 minutes, then flat for 11: the old fall is out of the window
    for (let i = 0; i < 126; i++) {
      const avail = i < 60 ? 50 - i / 6 : 40;
      const cur = sample(mount('/', stats(avail)));
      last = step(derive, prev, cur, 10);
      prev = cur;
    }
    expect(last!.get('fs.hours_to_full', '/')).toBeUndefined();
  });

  it('forgets the history of a mount that vanished', () => {
    const derive = createFilesystemDeriver();
    let prev: FilesystemSample | undefined;
    for (let i = 0; i <= 18; i++) {
      const cur = sample(mount('/data', stats(50 - i / 6)));
      step(derive, prev, cur, 10);
      prev = cur;
    }
    step(derive, prev, sample(), 10);
    const back = step(derive, sample(), sample(mount('/data', stats(40))), 10);
    expect(back.get('fs.hours_to_full', '/data')).toBeUndefined();
    expect(back.get('fs.avail_bytes', '/data')).toBe(40 * GiB);
  });
});
