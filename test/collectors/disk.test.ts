import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDiskCollector,
  type DiskSample,
  isExcludedDeviceName,
  parseDiskstats,
  sysBlockDir,
} from '../../collectors/disk.js';
import { parseHex } from '../../collectors/parse.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { ParseError } from '../../collectors/types.js';
import { fuzzParser } from './parser-fuzz.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;

async function collect(root: string, collector = createDiskCollector()) {
  const fs = new ProcFs(root);
  const log = new SourceLog(fs);
  const sample = (await collector.read(log)) as DiskSample | undefined;
  fs.close();
  return { sample, reports: log.reports };
}

describe('parseDiskstats', () => {
  it('reads a 20-column row (kernel 5.5+) value by value', () => {
    const rows = parseDiskstats(readFileSync(join(fixtures, 'host/proc/diskstats'), 'latin1'));
    expect(rows.map((r) => r.name)).toEqual([
      'loop0',
      'loop1',
      'loop2',
      'loop3',
      'loop4',
      'loop5',
      'loop6',
      'loop7',
      'vda',
      'zram0',
    ]);
    expect(rows[8]).toEqual({
      major: 254,
      minor: 0,
      name: 'vda',
      reads: 29995,
      readsMerged: 6277,
      sectorsRead: 1676106,
      readMs: 6006,
      writes: 7654,
      writesMerged: 16821,
      sectorsWritten: 1861592,
      writeMs: 3824,
      inflight: 0,
      ioMs: 3508,
      weightedMs: 10114,
      discards: 3633,
      discardsMerged: 68,
      sectorsDiscarded: 80128,
      discardMs: 233,
      flushes: 1000,
      flushMs: 49,
    });
  });

  it('reads a 14-column row (before 4.18) with the discard and flush fields as 0, skipping a 7-column partition row', () => {
    const rows = parseDiskstats(
      '   8       0 sda 1000 10 80000 4000 2000 20 160000 8000 3 5000 12000\n   8       2 sda2 12 3400 45 360\n',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: 'sda',
      reads: 1000,
      writes: 2000,
      inflight: 3,
      ioMs: 5000,
      weightedMs: 12000,
    });
    expect(rows[0]).toMatchObject({ discards: 0, discardMs: 0, flushes: 0, flushMs: 0 });
  });

  it('reads an 18-column row (4.18 to 5.4) with the flush fields as 0', () => {
    const [row] = parseDiskstats(' 259 0 nvme0n1 5000 0 400000 2500 7000 100 560000 3500 1 4000 6000 30 0 2400 15\n');
    expect(row).toMatchObject({ discards: 30, sectorsDiscarded: 2400, discardMs: 15, flushes: 0, flushMs: 0 });
  });

  it('keeps counters beyond 2^53 exact', () => {
    const [row] = parseDiskstats('8 0 sda 18446744073709551615 0 0 0 0 0 0 0 0 0 0\n');
    expect(row.reads).toBe(18446744073709551615n);
  });

  it('names the line of a short row or a non-number', () => {
    expect(() => parseDiskstats('8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n8 0 sdb 1 2 3\n')).toThrow(
      /line 2: expected at least 14/,
    );
    expect(() => parseDiskstats('8 0 sda 1 2 x 4 5 6 7 8 9 10 11\n')).toThrow(/line 1 field 3/);
  });
});

describe('device selection helpers', () => {
  it('excludes partitions, loop, ram, zram and floppy as node_exporter does, and keeps dm, md and whole disks', () => {
    for (const n of ['sda1', 'vda2', 'xvda1', 'nvme0n1p1', 'loop0', 'ram0', 'zram0', 'fd0', 'hdb3']) {
      expect(isExcludedDeviceName(n), n).toBe(true);
    }
    for (const n of ['sda', 'vda', 'nvme0n1', 'dm-0', 'md0', 'sr0', 'mmcblk0'])
      expect(isExcludedDeviceName(n), n).toBe(false);
  });

  it("maps a '/' in a device name to '!' as sysfs does", () => {
    expect(sysBlockDir('cciss/c0d0')).toBe('sys/block/cciss!c0d0');
  });

  it('parses sysfs hex counters', () => {
    expect(parseHex('0x1a\n')).toBe(26);
    expect(parseHex('0000140f', 'col', false)).toBe(0x140f);
    expect(() => parseHex('26')).toThrow(ParseError);
  });
});

describe('createDiskCollector', () => {
  it('keeps only whole devices present in /sys/block, with their sysfs facts (this host: vda)', async () => {
    const { sample, reports } = await collect(join(fixtures, 'host'));
    expect([...sample!.devices.keys()]).toEqual(['vda']);
    const vda = sample!.devices.get('vda')!;
    expect(vda).toMatchObject({ physical: true, rotational: true });
    // virtio has no SCSI error counters: normal, nothing reported
    expect(vda.ioErrors).toBeUndefined();
    expect(reports.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it("reads a 14-column kernel's SCSI error counters (hex) and a name with '/'", async () => {
    const { sample } = await collect(join(fixtures, 'diskstats14'));
    expect([...sample!.devices.keys()]).toEqual(['sda', 'cciss/c0d0']);
    expect(sample!.devices.get('sda')).toMatchObject({ physical: true, rotational: true, ioErrors: 0x1a + 0x2 });
    expect(sample!.devices.get('cciss/c0d0')).toMatchObject({ physical: true, rotational: false });
  });

  it('reads md degraded, keeps dm as a virtual device and drops rows without /sys/block', async () => {
    const { sample } = await collect(join(fixtures, 'diskstats18'));
    expect([...sample!.devices.keys()]).toEqual(['nvme0n1', 'md0', 'dm-0']);
    expect(sample!.devices.get('md0')).toMatchObject({ physical: false, mdDegraded: 1 });
    expect(sample!.devices.get('dm-0')).toMatchObject({ physical: false, rotational: false });
    expect(sample!.devices.get('nvme0n1')!.mdDegraded).toBeUndefined();
  });

  it('reads sysfs facts once per TTL, and again when a new device appears', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-disk-'));
    try {
      const row = (name: string) => `8 0 ${name} 1 0 8 1 1 0 8 1 0 1 1 0 0 0 0 0 0\n`;
      mkdirSync(join(root, 'proc'));
      mkdirSync(join(root, 'sys/block/sda/queue'), { recursive: true });
      writeFileSync(join(root, 'sys/block/sda/queue/rotational'), '1\n');
      writeFileSync(join(root, 'proc/diskstats'), row('sda'));
      let t = 0;
      const collector = createDiskCollector({ now: () => t, factsTtlMs: 60_000 });
      const fs = new ProcFs(root);
      const read = async () => (await collector.read(new SourceLog(fs))) as DiskSample;
      expect((await read()).devices.get('sda')!.rotational).toBe(true);
      writeFileSync(join(root, 'sys/block/sda/queue/rotational'), '0\n');
      t = 30_000;
      expect((await read()).devices.get('sda')!.rotational).toBe(true);
      mkdirSync(join(root, 'sys/block/sdb'));
      writeFileSync(join(root, 'proc/diskstats'), row('sda') + row('sdb'));
      const withNew = await read();
      expect([...withNew.devices.keys()]).toEqual(['sda', 'sdb']);
      expect(withNew.devices.get('sda')!.rotational).toBe(false);
      fs.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports a malformed diskstats as failed with the line, and yields no sample', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-disk-'));
    try {
      mkdirSync(join(root, 'proc'));
      writeFileSync(join(root, 'proc/diskstats'), '8 0 sda 1 2 3\n');
      const { sample, reports } = await collect(root);
      expect(sample).toBeUndefined();
      expect(reports).toEqual([
        { source: 'proc/diskstats', status: 'failed', reason: expect.stringMatching(/^line 1:/) },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('diskstats parser robustness', () => {
  const real = '   8       0 sda 1000 10 80000 4000 2000 20 160000 8000 3 5000 12000 1 2 3 4 5 6\n';

  it('arbitrary or truncated text yields rows or a ParseError, nothing else', () => {
    fuzzParser(parseDiskstats, real);
  });

  it('through the collector, bad content is a failed report, never an exception', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-disk-'));
    try {
      mkdirSync(join(root, 'proc'));
      await fc.assert(
        fc.asyncProperty(fc.string(), async (text) => {
          writeFileSync(join(root, 'proc/diskstats'), text);
          const { sample, reports } = await collect(root);
          const main = reports.find((r) => r.source === 'proc/diskstats')!;
          expect(main.status === 'ok' || (main.status === 'failed' && sample === undefined)).toBe(true);
        }),
        { numRuns: 50 },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
