import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryCollector, parseMeminfo, parseVmstat } from '../../collectors/memory.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { expectCorruptionReported, fuzzParser, readOnce } from './parser-fuzz.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const host = join(fixtures, 'host');
const fixture = (tree: string, rel: string) => readFileSync(join(fixtures, tree, rel), 'latin1');

describe('parseMeminfo', () => {
  it('reads the host /proc/meminfo as bytes, HugePages_* as counts', () => {
    const m = parseMeminfo(fixture('host', 'proc/meminfo'));
    expect(m.get('MemTotal')).toBe(24683656 * 1024);
    expect(m.get('MemFree')).toBe(23875924 * 1024);
    expect(m.get('MemAvailable')).toBe(23894360 * 1024);
    expect(m.get('Buffers')).toBe(4476 * 1024);
    expect(m.get('Cached')).toBe(187348 * 1024);
    expect(m.get('SwapTotal')).toBe(0);
    expect(m.get('Balloon')).toBe(0);
    expect(m.get('VmallocTotal')).toBe(34359738367 * 1024);
    expect(m.get('Active(anon)')).toBe(5600 * 1024);
    expect(m.get('HugePages_Total')).toBe(0);
    expect(m.get('Hugepagesize')).toBe(2048 * 1024);
  });

  it('reads an old kernel without MemAvailable', () => {
    const m = parseMeminfo(fixture('old-kernel', 'proc/meminfo'));
    expect(m.has('MemAvailable')).toBe(false);
    expect(m.get('HugePages_Total')).toBe(2);
  });

  it('names the line of a bad value or unit', () => {
    expect(() => parseMeminfo('MemTotal: 10 kB\nMemFree: ten kB\n')).toThrow(/line 2: MemFree/);
    expect(() => parseMeminfo('MemTotal: 10 MB\n')).toThrow(/line 1: unknown unit "MB"/);
    expect(() => parseMeminfo('MemFree: 10 kB\n')).toThrow(/no MemTotal/);
  });

  it('rejects nonsense and truncations only with ParseError', () => {
    fuzzParser(parseMeminfo, fixture('host', 'proc/meminfo'));
  });
});

describe('parseVmstat', () => {
  it('reads the host /proc/vmstat', () => {
    expect(parseVmstat(fixture('host', 'proc/vmstat'))).toEqual({
      pswpin: 0,
      pswpout: 0,
      pgpgin: 944569,
      pgpgout: 935968,
      pgmajfault: 936,
      pgscanKswapd: 0,
      pgscanDirect: 0,
      allocstall: 0,
      oomKill: 0,
    });
  });

  it('sums pre-4.8 per-zone names, leaves out pgscan_direct_throttle, has no oom_kill', () => {
    expect(parseVmstat(fixture('old-kernel', 'proc/vmstat'))).toEqual({
      pswpin: 10,
      pswpout: 20,
      pgpgin: 1000,
      pgpgout: 2000,
      pgmajfault: 300,
      pgscanKswapd: 115,
      pgscanDirect: 33,
      allocstall: 4,
      oomKill: undefined,
    });
  });

  it('sums current per-type and per-zone keys, not the khugepaged/proactive/anon/file ones', () => {
    const text =
      'pgscan_kswapd 5\npgscan_direct 7\npgscan_khugepaged 100\npgscan_proactive 100\npgscan_anon 12\n' +
      'pgscan_file 0\nallocstall_normal 2\nallocstall_movable 3\n';
    expect(parseVmstat(text)).toMatchObject({ pgscanKswapd: 5, pgscanDirect: 7, allocstall: 5 });
  });

  it('keeps sums beyond 2^53 exact', () => {
    const sum = parseVmstat('pgscan_kswapd_dma 9007199254740991\npgscan_kswapd_normal 10\n');
    expect(sum.pgscanKswapd).toBe(9007199254741001n);
  });

  it('counts a name repeated in the file once, with its last value', () => {
    expect(
      parseVmstat('pgscan_kswapd_dma 4\npgscan_kswapd_normal 1\npgscan_kswapd_dma 9\npgmajfault 3\npgmajfault 5\n'),
    ).toMatchObject({
      pgscanKswapd: 10,
      pgmajfault: 5,
    });
  });

  it('checks every line, not only the ones it keeps', () => {
    expect(() => parseVmstat('pgmajfault 3\nnr_free_pages x\n')).toThrow(
      /line 2: nr_free_pages: not an unsigned integer/,
    );
    expect(() => parseVmstat('pgmajfault 3\nnr_free_pages\n')).toThrow(/line 2: expected "name value"/);
  });

  it('rejects nonsense and truncations only with ParseError', () => {
    fuzzParser(parseVmstat, fixture('host', 'proc/vmstat'));
  });
});

describe('createMemoryCollector', () => {
  it('reads the host tree and reports the missing EDAC driver only on the first read', async () => {
    const collector = createMemoryCollector();
    const fs = new ProcFs(host);
    const first = new SourceLog(fs);
    const sample = await collector.read(first);
    expect(sample?.meminfo.get('MemTotal')).toBe(24683656 * 1024);
    expect(sample?.vmstat?.pgmajfault).toBe(936);
    expect(sample?.edac).toBeUndefined();
    expect(sample?.pageSize).toBe(4096);
    expect(first.reports.filter((r) => r.status !== 'ok')).toEqual([
      { source: 'sys/devices/system/edac/mc', status: 'absent', reason: expect.stringMatching(/^ENOENT/) },
    ]);
    const second = new SourceLog(fs);
    await collector.read(second);
    expect(second.reports.filter((r) => r.status !== 'ok')).toEqual([]);
    fs.close();
  });

  it('sums EDAC counts over memory controllers and reads swap', async () => {
    const { sample } = await readOnce(createMemoryCollector(), join(fixtures, 'server'));
    expect(sample?.edac).toEqual({ corrected: 5, uncorrected: 1 });
    expect(sample?.meminfo.get('SwapTotal')).toBe(2097148 * 1024);
    expect(sample?.meminfo.get('HardwareCorrupted')).toBe(8 * 1024);
  });

  it('reports broken files as failed, naming the file, and never throws', async () => {
    await expectCorruptionReported(createMemoryCollector, host, 'proc/meminfo');
    await expectCorruptionReported(createMemoryCollector, host, 'proc/vmstat');
  });
});
