import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createKernelCollector,
  parseFileNr,
  parseSingleCount,
  parseSockStat,
  parseTcpMem,
} from '../../collectors/kernel.js';
import { OptionalSource } from '../../collectors/optional.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { expectCorruptionReported, fuzzParser, readOnce } from './parser-fuzz.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const host = join(fixtures, 'host');
const fixture = (tree: string, rel: string) => readFileSync(join(fixtures, tree, rel), 'latin1');

describe('kernel resource parsers', () => {
  it('reads the host file-nr, and file-max LONG_MAX exactly', () => {
    expect(parseFileNr(fixture('host', 'proc/sys/fs/file-nr'))).toEqual({ allocated: 17777, unused: 0, max: 2466165 });
    expect(parseFileNr('562\t0\t9223372036854775807\n').max).toBe(9223372036854775807n);
    fuzzParser(parseFileNr, fixture('host', 'proc/sys/fs/file-nr'));
  });

  it('reads single-number sysctls', () => {
    expect(parseSingleCount(fixture('host', 'proc/sys/kernel/threads-max'))).toBe(192729);
    expect(parseSingleCount(fixture('host', 'proc/sys/kernel/pid_max'))).toBe(32768);
    expect(parseSingleCount(fixture('host', 'proc/sys/net/netfilter/nf_conntrack_max'))).toBe(262144);
    fuzzParser(parseSingleCount, '32768\n');
  });

  it('reads the host sockstat', () => {
    expect(parseSockStat(fixture('host', 'proc/net/sockstat'))).toEqual({
      socketsUsed: 28,
      tcp: { inuse: 1, orphan: 0, tw: 0, alloc: 1, memPages: 11 },
      udp: { inuse: 0, memPages: 0 },
    });
    expect(() => parseSockStat('TCP: inuse 1 orphan\n')).toThrow(/line 1: TCP: expected name\/value pairs/);
    expect(() => parseSockStat('TCP: inuse 1\n')).toThrow(/line 1: missing "orphan"/);
    fuzzParser(parseSockStat, fixture('host', 'proc/net/sockstat'));
  });

  it('reads the host tcp_mem', () => {
    expect(parseTcpMem(fixture('host', 'proc/sys/net/ipv4/tcp_mem'))).toEqual({
      low: 287898,
      pressure: 383866,
      high: 575796,
    });
    fuzzParser(parseTcpMem, fixture('host', 'proc/sys/net/ipv4/tcp_mem'));
  });
});

describe('OptionalSource', () => {
  it('reports an absent file once, re-probes it rarely, and picks it up when it appears', () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-optional-'));
    const fs = new ProcFs(root);
    const source = new OptionalSource('module_param', 3);
    const readTick = () => {
      const log = new SourceLog(fs);
      return { text: source.read(log), reports: log.reports.length };
    };
    expect(readTick()).toEqual({ text: undefined, reports: 1 });
    writeFileSync(join(root, 'module_param'), '7\n');
    expect(readTick()).toEqual({ text: undefined, reports: 0 });
    expect(readTick()).toEqual({ text: undefined, reports: 0 });
    expect(readTick()).toEqual({ text: '7\n', reports: 0 });
    fs.close();
    rmSync(root, { recursive: true });
  });
});

describe('createKernelCollector', () => {
  it('reads the host tree; the root cgroup has no pids limit, reported once', async () => {
    const collector = createKernelCollector();
    const fs = new ProcFs(host);
    const log = new SourceLog(fs);
    expect(await collector.read(log)).toEqual({
      fileNr: { allocated: 17777, unused: 0, max: 2466165 },
      threads: 1143,
      threadsMax: 192729,
      pidMax: 32768,
      sockstat: parseSockStat(fixture('host', 'proc/net/sockstat')),
      tcpMem: { low: 287898, pressure: 383866, high: 575796 },
      conntrack: { count: 0, max: 262144 },
      pids: undefined,
    });
    expect(log.reports.filter((r) => r.status !== 'ok')).toEqual([
      { source: 'sys/fs/cgroup', status: 'absent', reason: expect.stringContaining('pids') },
    ]);
    const again = new SourceLog(fs);
    await collector.read(again);
    expect(again.reports.filter((r) => r.status !== 'ok')).toEqual([]);
    fs.close();
  });

  it("reads the pids limit of the agent's own cgroup v2", async () => {
    const { sample } = await readOnce(createKernelCollector(), join(fixtures, 'cgroup-v2'));
    expect(sample?.pids).toEqual({ current: 120, max: 400, forkRejected: 3 });
  });

  it('leaves conntrack out, reported once as absent, when the module is not loaded', async () => {
    const { sample, reports } = await readOnce(createKernelCollector(), join(fixtures, 'nopsi'));
    expect(sample?.conntrack).toBeUndefined();
    expect(reports).toContainEqual({
      source: 'proc/sys/net/netfilter/nf_conntrack_count',
      status: 'absent',
      reason: 'ENOENT',
    });
  });

  it('reports broken files as failed, naming the file, and never throws', async () => {
    await expectCorruptionReported(createKernelCollector, host, 'proc/sys/fs/file-nr');
    await expectCorruptionReported(createKernelCollector, host, 'proc/net/sockstat');
  });
});
