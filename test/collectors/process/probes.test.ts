import { describe, expect, it } from 'vitest';
import { PageSize } from '../../../collectors/process/page-size.js';
import { SchedstatProbe } from '../../../collectors/process/schedstat-probe.js';
import { ProcFs } from '../../../collectors/procfs.js';
import { basic, host } from './fixtures.js';

describe('SchedstatProbe', () => {
  it('gives per-pid schedstat up after three misses when it never once existed, once', () => {
    const probe = new SchedstatProbe();
    probe.missed();
    probe.missed();
    expect(probe.settle()).toBe(false);
    probe.missed();
    expect(probe.settle()).toBe(true);
    expect(probe.perPid).toBe(false);
    expect(probe.settle()).toBe(false);
  });

  it('keeps per-pid schedstat once one was read, however many processes exit in between', () => {
    const probe = new SchedstatProbe();
    probe.found();
    for (let i = 0; i < 100; i++) probe.missed();
    expect(probe.settle()).toBe(false);
    expect(probe.perPid).toBe(true);
  });

  it.each([
    [host, true],
    [basic, false],
  ])('tells whether %s has /proc/schedstat, reading it once', (root, has) => {
    const reads: string[] = [];
    class Counting extends ProcFs {
      override readOnce(rel: string, oneRead?: boolean) {
        reads.push(rel);
        return super.readOnce(rel, oneRead);
      }
    }
    const fs = new Counting(root);
    const probe = new SchedstatProbe();
    expect(probe.hostHasSchedstat(fs)).toBe(has);
    expect(probe.hostHasSchedstat(fs)).toBe(has);
    expect(reads).toEqual(['proc/schedstat']);
    fs.close();
  });
});

describe('PageSize', () => {
  it.each([
    ['4 KiB pages', 2048, 8192, 4096],
    ['16 KiB pages', 2048, 32768, 16384],
    ['64 KiB pages', 2048, 131072, 65536],
    ['a ratio between sizes, to the nearest', 2048, 9000, 4096],
  ])('learns %s from VmRSS against stat rss', (_what, rssPages, vmRssKiB, bytes) => {
    const size = new PageSize();
    size.learn(rssPages, vmRssKiB);
    expect(size.bytes).toBe(bytes);
  });

  it('is 4096 until learnt, ignores too small an RSS and learns only once', () => {
    const size = new PageSize();
    expect(size.bytes).toBe(4096);
    size.learn(100, 1600);
    size.learn(2048, undefined);
    expect(size.bytes).toBe(4096);
    size.learn(2048, 32768);
    size.learn(2048, 131072);
    expect(size.bytes).toBe(16384);
  });

  it('keeps a page size that was given', () => {
    const size = new PageSize(65536);
    size.learn(2048, 8192);
    expect(size.bytes).toBe(65536);
  });
});
