import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createFilesystemCollector,
  type FilesystemCollectorOptions,
  type FilesystemSample,
  parseMountinfo,
  STUCK_REASON,
  type StatfsValues,
  selectMounts,
  unescapeOctal,
} from '../../collectors/filesystem.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { fuzzParser } from './parser-fuzz.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const mountsRoot = join(fixtures, 'mounts');

const VALUES: StatfsValues = { bsize: 4096, blocks: 1000, bfree: 400, bavail: 350, files: 100, ffree: 40 };

async function collect(root: string, opts: FilesystemCollectorOptions) {
  const collector = createFilesystemCollector(opts);
  const fs = new ProcFs(root);
  const log = new SourceLog(fs);
  const sample = (await collector.read(log)) as FilesystemSample | undefined;
  fs.close();
  return { sample, reports: log.reports };
}

describe('parseMountinfo', () => {
  it('reads this host value by value', () => {
    const mounts = parseMountinfo(readFileSync(join(fixtures, 'host/proc/self/mountinfo'), 'latin1'));
    const root = mounts.find((m) => m.mountPoint === '/')!;
    expect(root).toEqual({
      mountId: 27,
      parentId: 1,
      device: '254:0',
      root: '/',
      mountPoint: '/',
      options: ['rw', 'relatime'],
      optional: [],
      fstype: 'ext4',
      source: '/dev/vda',
      superOptions: ['rw', 'discard', 'resv_strict', 'resuid=65534', 'resgid=65534'],
    });
    expect(mounts.map((m) => m.fstype)).toContain('cgroup2');
  });

  it('decodes octal escapes and reads optional fields up to the separator', () => {
    const mounts = parseMountinfo(readFileSync(join(mountsRoot, 'proc/self/mountinfo'), 'latin1'));
    const data = mounts.find((m) => m.mountId === 26)!;
    expect(data).toMatchObject({
      mountPoint: '/srv/my data',
      options: ['ro', 'relatime'],
      optional: ['shared:30', 'master:4'],
      fstype: 'xfs',
      source: '/dev/sda2',
    });
    expect(mounts.find((m) => m.mountId === 32)!.mountPoint).toBe('/tab\tand\\slash');
    expect(mounts.find((m) => m.mountId === 27)!.root).toBe('/var/lib/app');
    expect(unescapeOctal('a\\04')).toBe('a\\04');
  });

  it('names the line of a row without the separator or with a bad device', () => {
    expect(() => parseMountinfo('1 0 8:1 / / rw shared:1 ext4 /dev/sda1 rw\n')).toThrow(/line 1: expected/);
    expect(() => parseMountinfo('1 0 8.1 / / rw - ext4 /dev/sda1 rw\n')).toThrow(/line 1: device "8.1"/);
  });
});

describe('selectMounts', () => {
  it("drops pseudo filesystems and node_exporter's excluded trees, and keeps the shortest bind mount of a device", () => {
    const mounts = parseMountinfo(readFileSync(join(mountsRoot, 'proc/self/mountinfo'), 'latin1'));
    expect(selectMounts(mounts).map((m) => m.mountPoint)).toEqual([
      '/',
      '/run',
      '/srv/my data',
      '/mnt/nfs',
      '/tab\tand\\slash',
    ]);
  });

  it('keeps only the visible (last) mount of a mount point mounted over twice', () => {
    const mounts = parseMountinfo(
      '1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:3 / /data rw - ext4 /dev/sda3 rw\n3 1 8:4 / /data rw - xfs /dev/sda4 rw\n',
    );
    expect(selectMounts(mounts).map((m) => `${m.mountPoint} ${m.device}`)).toEqual(['/ 8:1', '/data 8:4']);
  });

  it('keeps only the root filesystem of this host (the rest is pseudo or under /dev and /sys)', () => {
    const mounts = parseMountinfo(readFileSync(join(fixtures, 'host/proc/self/mountinfo'), 'latin1'));
    expect(selectMounts(mounts).map((m) => m.mountPoint)).toEqual(['/']);
  });
});

describe('createFilesystemCollector', () => {
  it('statfs each selected mount, with read-only flag and ext4 errors_count', async () => {
    const calls: string[] = [];
    const { sample, reports } = await collect(mountsRoot, {
      statfs: async (mp) => {
        calls.push(mp);
        return VALUES;
      },
    });
    expect(calls.sort()).toEqual(['/', '/mnt/nfs', '/run', '/srv/my data', '/tab\tand\\slash']);
    expect(sample!.mounts.get('/')).toEqual({
      mountPoint: '/',
      fstype: 'ext4',
      source: '/dev/sda1',
      device: '8:1',
      readonly: false,
      stats: VALUES,
      stuck: false,
      errorsCount: 3,
    });
    expect(sample!.mounts.get('/srv/my data')).toMatchObject({ readonly: true, stuck: false });
    expect(sample!.mounts.get('/srv/my data')!.errorsCount).toBeUndefined();
    expect(reports.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it('a statfs that never answers marks the mount stuck within the timeout, and is not called again', async () => {
    const calls: string[] = [];
    let t = 0;
    const collector = createFilesystemCollector({
      statfsTimeoutMs: 30,
      now: () => t,
      statfs: (mp) => {
        calls.push(mp);
        return mp === '/mnt/nfs' ? new Promise<StatfsValues>(() => {}) : Promise.resolve(VALUES);
      },
    });
    const fs = new ProcFs(mountsRoot);
    const tick = async () => {
      const log = new SourceLog(fs);
      const started = performance.now();
      const sample = (await collector.read(log)) as FilesystemSample;
      return { sample, reports: log.reports, ms: performance.now() - started };
    };
    const first = await tick();
    expect(first.ms).toBeLessThan(1000);
    expect(first.sample.mounts.get('/mnt/nfs')).toMatchObject({ stuck: true });
    expect(first.sample.mounts.get('/mnt/nfs')!.stats).toBeUndefined();
    expect(first.sample.mounts.get('/')!.stats).toEqual(VALUES);
    expect(first.reports).toContainEqual({ source: 'statfs /mnt/nfs', status: 'failed', reason: STUCK_REASON });

    t = 10 * 60_000; // long after the retry delay, but the first call still holds its thread
    const second = await tick();
    expect(calls.filter((mp) => mp === '/mnt/nfs')).toHaveLength(1);
    expect(calls.filter((mp) => mp === '/')).toHaveLength(2);
    expect(second.sample.mounts.get('/mnt/nfs')!.stuck).toBe(true);
    expect(second.reports).toContainEqual({ source: 'statfs /mnt/nfs', status: 'failed', reason: STUCK_REASON });
    fs.close();
  });

  it('a statfs that answered while the event loop was blocked past the timeout is not taken for stuck', async () => {
    const { statfs } = await import('node:fs/promises');
    const collector = createFilesystemCollector({
      statfsTimeoutMs: 20,
      statfs: (mp) => {
        const call = statfs('/').then((st) => ({ ...VALUES, bsize: st.bsize }));
        // A busy tick: the loop is blocked past the timeout while the answer waits to be delivered.
        setTimeout(() => {
          const until = performance.now() + 100;
          while (performance.now() < until);
        }, 0);
        return mp === '/' ? call : Promise.resolve(VALUES);
      },
    });
    const fs = new ProcFs(mountsRoot);
    const sample = (await collector.read(new SourceLog(fs))) as FilesystemSample;
    fs.close();
    expect(sample.mounts.get('/')).toMatchObject({ stuck: false });
  });

  it('tries a stuck mount again once its hung call returned and the retry delay passed', async () => {
    let t = 0;
    let release: (v: StatfsValues) => void = () => {};
    let nfsCalls = 0;
    const collector = createFilesystemCollector({
      statfsTimeoutMs: 20,
      stuckRetryMs: 300_000,
      now: () => t,
      statfs: (mp) => {
        if (mp !== '/mnt/nfs') return Promise.resolve(VALUES);
        nfsCalls++;
        return nfsCalls === 1 ? new Promise<StatfsValues>((r) => (release = r)) : Promise.resolve(VALUES);
      },
    });
    const fs = new ProcFs(mountsRoot);
    const nfs = async () => ((await collector.read(new SourceLog(fs))) as FilesystemSample).mounts.get('/mnt/nfs')!;
    expect((await nfs()).stuck).toBe(true);
    release(VALUES);
    await Promise.resolve();
    t = 299_000;
    expect((await nfs()).stuck).toBe(true);
    expect(nfsCalls).toBe(1);
    t = 300_000;
    expect(await nfs()).toMatchObject({ stuck: false, stats: VALUES });
    expect(nfsCalls).toBe(2);
    fs.close();
  });

  it('reports a failing statfs with its errno status and keeps the other mounts', async () => {
    const { sample, reports } = await collect(mountsRoot, {
      statfs: (mp) =>
        mp === '/run'
          ? Promise.reject(Object.assign(new Error('denied'), { code: 'EACCES' }))
          : Promise.resolve(VALUES),
    });
    expect(reports).toContainEqual({ source: 'statfs /run', status: 'denied', reason: 'EACCES' });
    expect(sample!.mounts.get('/run')).toMatchObject({ stuck: false });
    expect(sample!.mounts.get('/run')!.stats).toBeUndefined();
    expect(sample!.mounts.get('/')!.stats).toEqual(VALUES);
  });

  it('calls the real statfs on live mount points by default', async () => {
    const collector = createFilesystemCollector();
    const fs = new ProcFs('/');
    const sample = (await collector.read(new SourceLog(fs))) as FilesystemSample;
    fs.close();
    const root = sample.mounts.get('/')!;
    expect(root.stats!.blocks).toBeGreaterThan(0);
    expect(root.stats!.bsize).toBeGreaterThan(0);
  });
});

describe('mountinfo parser robustness', () => {
  const real = readFileSync(join(mountsRoot, 'proc/self/mountinfo'), 'latin1');

  it('follows mounts and unmounts from one tick to the next, and bad mountinfo after good', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-fs-'));
    const rootLine = '20 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n';
    const dataLine = '30 20 8:16 / /data rw,relatime shared:2 - xfs /dev/sdb rw\n';
    const collector = createFilesystemCollector({ statfs: async () => VALUES });
    const fs = new ProcFs(root);
    const tick = async (mountinfo: string) => {
      writeFileSync(join(root, 'proc/self/mountinfo'), mountinfo);
      const log = new SourceLog(fs);
      const sample = (await collector.read(log)) as FilesystemSample | undefined;
      const report = log.reports.find((r) => r.source === 'proc/self/mountinfo');
      return { mounts: sample && [...sample.mounts.keys()], status: report?.status };
    };
    try {
      mkdirSync(join(root, 'proc/self'), { recursive: true });
      expect(await tick(rootLine)).toEqual({ mounts: ['/'], status: 'ok' });
      expect(await tick(rootLine)).toEqual({ mounts: ['/'], status: 'ok' });
      expect(await tick(rootLine + dataLine)).toEqual({ mounts: ['/', '/data'], status: 'ok' });
      expect(await tick(rootLine + dataLine)).toEqual({ mounts: ['/', '/data'], status: 'ok' });
      expect(await tick('not a mount\n')).toEqual({ mounts: undefined, status: 'failed' });
      expect(await tick(rootLine)).toEqual({ mounts: ['/'], status: 'ok' });
    } finally {
      fs.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads an ext4 errors_count afresh every tick, and lets its file go once the mount is gone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-fs-'));
    const rootLine = '20 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n';
    const dataLine = '30 20 8:16 / /data rw,relatime shared:2 - xfs /dev/sdb rw\n';
    const errors = join(root, 'sys/fs/ext4/sda1/errors_count');
    const collector = createFilesystemCollector({ statfs: async () => VALUES });
    const released: string[] = [];
    const fs = new (class extends ProcFs {
      override release(rel: string) {
        released.push(rel);
        super.release(rel);
      }
    })(root);
    const tick = async (mountinfo: string, count: number) => {
      writeFileSync(join(root, 'proc/self/mountinfo'), mountinfo);
      writeFileSync(errors, `${count}\n`);
      const sample = (await collector.read(new SourceLog(fs))) as FilesystemSample;
      return sample.mounts.get('/')?.errorsCount;
    };
    try {
      mkdirSync(join(root, 'proc/self'), { recursive: true });
      mkdirSync(join(root, 'sys/fs/ext4/sda1'), { recursive: true });
      expect([await tick(rootLine, 0), await tick(rootLine, 2), await tick(rootLine, 5)]).toEqual([0, 2, 5]);
      expect(released).toEqual([]);
      expect(await tick(dataLine, 5)).toBeUndefined();
      expect(released).toEqual(['sys/fs/ext4/sda1/errors_count']);
      expect(await tick(rootLine, 7)).toBe(7);
    } finally {
      fs.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('arbitrary or truncated text yields mounts or a ParseError, nothing else', () => {
    fuzzParser(parseMountinfo, real);
  });

  it('through the collector, bad content is a failed report, never an exception', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-fs-'));
    try {
      mkdirSync(join(root, 'proc/self'), { recursive: true });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.nat(real.length).map((n) => real.slice(0, n)),
          ),
          async (text) => {
            writeFileSync(join(root, 'proc/self/mountinfo'), text);
            const { sample, reports } = await collect(root, { statfs: async () => VALUES });
            const main = reports.find((r) => r.source === 'proc/self/mountinfo')!;
            expect(main.status === 'ok' || (main.status === 'failed' && sample === undefined)).toBe(true);
          },
        ),
        { numRuns: 50 },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
