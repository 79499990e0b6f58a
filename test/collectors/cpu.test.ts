import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProcCgroup } from '../../collectors/cgroup/proc-cgroup.js';
import { cgroupDirs, createCpuCollector, parseLoadAvg, parseProcStat, parseSchedStat } from '../../collectors/cpu.js';
import { expectCorruptionReported, fuzzParser, readOnce } from './parser-fuzz.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const host = join(fixtures, 'host');
const fixture = (tree: string, rel: string) => readFileSync(join(fixtures, tree, rel), 'latin1');

const readCpu = (root: string) => readOnce(createCpuCollector(), root);

describe('parseProcStat', () => {
  it('reads every field of the host /proc/stat', () => {
    const stat = parseProcStat(fixture('host', 'proc/stat'));
    expect(stat.total).toEqual({
      user: 5260,
      nice: 0,
      system: 2652,
      idle: 91146,
      iowait: 243,
      irq: 0,
      softirq: 50,
      steal: 12,
      guest: 0,
      guestNice: 0,
    });
    expect([...stat.cpus.keys()]).toEqual(['cpu0', 'cpu1']);
    expect(stat.cpus.get('cpu1')).toMatchObject({
      user: 2879,
      system: 1418,
      idle: 45113,
      iowait: 214,
      softirq: 40,
      steal: 8,
    });
    expect(stat.ctxt).toBe(674058);
    expect(stat.intr).toBe(182482);
    expect(stat.btime).toBe(1795612995);
    expect(stat.processes).toBe(10946);
    expect(stat.procsRunning).toBe(1);
    expect(stat.procsBlocked).toBe(0);
  });

  it('reads missing trailing columns of an old kernel as 0', () => {
    const stat = parseProcStat(fixture('old-kernel', 'proc/stat'));
    expect(stat.total).toEqual({
      user: 1000,
      nice: 10,
      system: 500,
      idle: 8000,
      iowait: 100,
      irq: 20,
      softirq: 30,
      steal: 0,
      guest: 0,
      guestNice: 0,
    });
    expect(stat.intr).toBe(123456);
  });

  it('has no line for an offline CPU', () => {
    expect([...parseProcStat(fixture('offline-cpu', 'proc/stat')).cpus.keys()]).toEqual(['cpu0', 'cpu2']);
  });

  it('keeps a counter beyond 2^53 exact', () => {
    expect(parseProcStat('cpu 1 2 3 4\nctxt 18446744073709551615\n').ctxt).toBe(18446744073709551615n);
  });

  it('names the line of a bad value', () => {
    expect(() => parseProcStat('cpu 1 2 3 4\ncpu0 1 x 3 4\n')).toThrow(/line 2: cpu0 nice/);
    expect(() => parseProcStat('cpu0 1 2 3 4\n')).toThrow(/no "cpu" line/);
    expect(() => parseProcStat('cpu 1 2 3\n')).toThrow(/at least 4 columns/);
  });

  it('rejects nonsense and truncations only with ParseError', () => {
    fuzzParser(parseProcStat, fixture('host', 'proc/stat'));
  });
});

describe('parseLoadAvg', () => {
  it('reads the host /proc/loadavg', () => {
    expect(parseLoadAvg(fixture('host', 'proc/loadavg'))).toEqual({
      load1: 1.18,
      load5: 0.49,
      load15: 0.21,
      running: 1,
      threads: 1143,
      lastPid: 10946,
    });
  });

  it('rejects nonsense and truncations only with ParseError', () => {
    fuzzParser(parseLoadAvg, fixture('host', 'proc/loadavg'));
  });
});

describe('per-CPU run delay', () => {
  it('parses /proc/schedstat: run_delay, the 8th field of each cpu line; domain lines skipped', () => {
    const parsed = parseSchedStat(fixture('host', 'proc/schedstat'));
    expect(parsed.version).toBe(17);
    expect([...parsed.runDelayNs.keys()]).toEqual(['cpu0', 'cpu1']);
    expect(
      parseSchedStat('version 15\ntimestamp 1\ncpu0 0 0 1 2 3 4 5 18446744073709551615 7\n').runDelayNs.get('cpu0'),
    ).toBe(18446744073709551615n);
    expect(() => parseSchedStat('cpu0 0 0 1 2 3 4 5 6 7\n')).toThrow(/no "version" line/);
    expect(() => parseSchedStat('version 14\n')).toThrow(/version 14/);
    expect(() => parseSchedStat('version 15\ncpu0 0 0 1 2 3 4 5\n')).toThrow(
      /line 2: cpu0: expected at least 8 fields/,
    );
    fuzzParser(parseSchedStat, fixture('host', 'proc/schedstat'));
  });

  it('looks in the own cgroup first, then at the mount roots', () => {
    const self = parseProcCgroup('2:cpu,cpuacct:/app\n0::/svc\n');
    expect(cgroupDirs(self, 'cpu', ['sys/fs/cgroup/cpu'])).toEqual([
      'sys/fs/cgroup/svc',
      'sys/fs/cgroup',
      'sys/fs/cgroup/unified/svc',
      'sys/fs/cgroup/unified',
      'sys/fs/cgroup/cpu/app',
      'sys/fs/cgroup/cpu',
    ]);
  });
});

describe('createCpuCollector', () => {
  it('reads the host tree: no quota (cfs_quota_us = -1)', async () => {
    const { sample, reports } = await readCpu(host);
    expect(sample?.stat.cpus.size).toBe(2);
    expect(sample?.loadavg?.threads).toBe(1143);
    expect(sample?.quota).toBeUndefined();
    expect(sample?.schedstat?.runDelayNs).toEqual(
      new Map([
        ['cpu0', 27391540513],
        ['cpu1', 25887030245],
      ]),
    );
    expect(reports.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it('a kernel without /proc/schedstat: reported absent once, with the fallback named', async () => {
    const collector = createCpuCollector();
    const root = join(fixtures, 'cgroup-v2');
    const first = await readOnce(collector, root);
    expect(first.sample?.schedstat).toBeUndefined();
    expect(first.reports).toContainEqual({
      source: 'proc/schedstat',
      status: 'absent',
      reason: 'ENOENT (kernel without CONFIG_SCHEDSTATS: run delay is summed from /proc/<pid>/schedstat)',
    });
    const second = await readOnce(collector, root);
    expect(second.reports.map((r) => r.source)).not.toContain('proc/schedstat');
  });

  it('reports a broken /proc/schedstat as failed and still returns the stat sample', async () => {
    await expectCorruptionReported(createCpuCollector, host, 'proc/schedstat');
  });

  it("finds the quota of the agent's own cgroup v2", async () => {
    expect((await readCpu(join(fixtures, 'cgroup-v2'))).sample?.quota).toEqual({ quotaUs: 50000, periodUs: 100000 });
  });

  it('reports a broken /proc/stat as failed, naming the file, and never throws', async () => {
    await expectCorruptionReported(createCpuCollector, host, 'proc/stat');
  });

  it('reports a broken /proc/loadavg as failed and still returns the stat sample', async () => {
    await expectCorruptionReported(createCpuCollector, host, 'proc/loadavg');
  });

  it('reports a missing /proc/stat as absent', async () => {
    const { sample, reports } = await readCpu(join(fixtures, 'nopsi'));
    expect(sample).toBeUndefined();
    expect(reports).toContainEqual({ source: 'proc/stat', status: 'absent', reason: 'ENOENT' });
  });
});
