import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  keyedCounters,
  parseCgroupPressure,
  parseMaxOrValue,
  parsePidsCurrent,
  parsePidsEvents,
  parsePidsMax,
} from '../../../collectors/cgroup/parse.js';
import {
  parseCfsQuota,
  parseCpuacctUsage,
  parseCpuMax,
  parseCpuStat,
  parseCpuStatV1,
} from '../../../collectors/cgroup/parse-cpu.js';
import { parseBlkioBytes, parseBlkioServiced, parseIoStat } from '../../../collectors/cgroup/parse-io.js';
import {
  parseMemoryEvents,
  parseMemoryLimitV1,
  parseMemoryStat,
  parseMemoryStatV1,
  parseOomControl,
} from '../../../collectors/cgroup/parse-memory.js';
import { ParseError } from '../../../collectors/types.js';
import { fuzzParser } from '../parser-fuzz.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'cgroup');
/** A file of the hybrid host (copied from this kind of machine): v1 controller `c` or "unified". */
const hybrid = (c: string, cgroup: string, file: string) =>
  readFileSync(join(fixtures, 'hybrid/sys/fs/cgroup', c, cgroup, file), 'latin1');
/** A hand-written v2 file of a cgroup with every controller enabled. */
const v2 = (unit: string, file: string) =>
  readFileSync(join(fixtures, 'v2/sys/fs/cgroup/system.slice', unit, file), 'latin1');
const LIMITED = 'usewatch-cgread-fixture';
const UNLIMITED = 'usewatch-cgread-unlimited';

describe('flat-keyed files', () => {
  it('takes the wanted keys, skips others unread and says which are missing', () => {
    expect(keyedCounters('a 1\nb x y\nc 18446744073709551615\n', ['c', 'a', 'd'], 'f')).toEqual([
      18446744073709551615n,
      1,
      undefined,
    ]);
    expect(() => keyedCounters('a 1 2\n', ['a'], 'f')).toThrow(/f line 1: a: expected one value/);
    expect(() => keyedCounters('\nb 2\na -1\n', ['a'], 'f')).toThrow(/f line 3: a: not an unsigned integer/);
  });
});

describe('cpu', () => {
  it('reads v2 cpu.stat with the throttling lines of an enabled cpu controller', () => {
    expect(parseCpuStat(v2('nginx.service', 'cpu.stat'))).toEqual({
      usageUsec: 48213377,
      userUsec: 30117562,
      systemUsec: 18095815,
      throttling: { nrPeriods: 41230, nrThrottled: 12877, throttledUsec: 913245871 },
    });
  });

  it('reads the unified cpu.stat of a hybrid host, which has usage only', () => {
    expect(parseCpuStat(hybrid('unified', LIMITED, 'cpu.stat'))).toEqual({
      usageUsec: 2672938,
      userUsec: 1515161,
      systemUsec: 1157776,
    });
    expect(() => parseCpuStat('nr_periods 1\n')).toThrow(/cpu.stat: no "usage_usec" line/);
    fuzzParser(parseCpuStat, v2('nginx.service', 'cpu.stat'));
  });

  it('reads v1 cpu.stat, throttled_time from ns to µs', () => {
    expect(parseCpuStatV1(hybrid('cpu', LIMITED, 'cpu.stat'))).toEqual({
      nrPeriods: 53,
      nrThrottled: 8,
      throttledUsec: 172736,
    });
    expect(parseCpuStatV1('nr_periods 1\nnr_throttled 1\nthrottled_time 18446744073709551615\n').throttledUsec).toBe(
      18446744073709551n,
    );
    expect(() => parseCpuStatV1('nr_periods 1\nnr_throttled 0\n')).toThrow(/no "throttled_time" line/);
    fuzzParser(parseCpuStatV1, hybrid('cpu', LIMITED, 'cpu.stat'));
  });

  it('reads v1 cpuacct.usage in µs', () => {
    expect(parseCpuacctUsage(hybrid('cpuacct', LIMITED, 'cpuacct.usage'))).toBe(1723987);
    expect(() => parseCpuacctUsage('-5\n')).toThrow(/cpuacct.usage: not an unsigned integer/);
    fuzzParser(parseCpuacctUsage, hybrid('cpuacct', LIMITED, 'cpuacct.usage'));
  });

  it('reads cpu.max with and without a limit', () => {
    expect(parseCpuMax('max 100000\n')).toBeUndefined();
    expect(parseCpuMax('50000 100000\n')).toEqual({ quotaUs: 50000, periodUs: 100000 });
    expect(parseCpuMax(v2('nginx.service', 'cpu.max'))).toEqual({ quotaUs: 150000, periodUs: 100000 });
    expect(() => parseCpuMax('50000\n')).toThrow(ParseError);
    fuzzParser(parseCpuMax, '50000 100000\n');
  });

  it('reads v1 cfs quota, -1 meaning no limit', () => {
    expect(parseCfsQuota('-1\n', '100000\n')).toBeUndefined();
    expect(parseCfsQuota('150000\n', '100000\n')).toEqual({ quotaUs: 150000, periodUs: 100000 });
    expect(() => parseCfsQuota('1000\n', '0\n')).toThrow(ParseError);
    expect(
      parseCfsQuota(hybrid('cpu', LIMITED, 'cpu.cfs_quota_us'), hybrid('cpu', LIMITED, 'cpu.cfs_period_us')),
    ).toEqual({ quotaUs: 50000, periodUs: 100000 });
    expect(
      parseCfsQuota(hybrid('cpu', UNLIMITED, 'cpu.cfs_quota_us'), hybrid('cpu', UNLIMITED, 'cpu.cfs_period_us')),
    ).toBeUndefined();
    fuzzParser((t) => parseCfsQuota(t, '100000\n'), '50000\n');
  });
});

describe('memory', () => {
  it('reads memory.current, memory.max and memory.high, "max" being no limit', () => {
    expect(parseMaxOrValue(v2('nginx.service', 'memory.max'), 'memory.max')).toBe(536870912);
    expect(parseMaxOrValue(v2('nginx.service', 'memory.high'), 'memory.high')).toBe(469762048);
    expect(parseMaxOrValue(v2('cron.service', 'memory.max'), 'memory.max')).toBeUndefined();
    expect(() => parseMaxOrValue('maximum\n', 'memory.high')).toThrow(/memory.high: not an unsigned integer/);
    fuzzParser((t) => parseMaxOrValue(t, 'memory.max'), '536870912\n');
  });

  it('reads inactive_file of v2 memory.stat and total_inactive_file of v1', () => {
    expect(parseMemoryStat(v2('nginx.service', 'memory.stat'))).toBe(73400320);
    expect(parseMemoryStatV1(hybrid('memory', LIMITED, 'memory.stat'))).toBe(4091904);
    expect(() => parseMemoryStat('anon 1\n')).toThrow(/memory.stat: no "inactive_file" line/);
    fuzzParser(parseMemoryStat, v2('nginx.service', 'memory.stat'));
    fuzzParser(parseMemoryStatV1, hybrid('memory', LIMITED, 'memory.stat'));
  });

  it('reads memory.events', () => {
    expect(parseMemoryEvents(v2('nginx.service', 'memory.events'))).toEqual({
      high: 1843,
      max: 27,
      oom: 2,
      oomKill: 1,
    });
    expect(parseMemoryEvents('low 0\nhigh 1\nmax 2\noom 3\n')).toEqual({ high: 1, max: 2, oom: 3 });
    expect(() => parseMemoryEvents('low 0\nhigh 1\n')).toThrow(/no "max" line/);
    fuzzParser(parseMemoryEvents, v2('nginx.service', 'memory.events'));
  });

  it('reads v1 memory.oom_control: the OOM kills of a real cgroup, none before 4.13', () => {
    expect(parseOomControl(hybrid('memory', LIMITED, 'memory.oom_control'))).toBe(2);
    expect(parseOomControl('oom_kill_disable 0\nunder_oom 0\n')).toBeUndefined();
    expect(() => parseOomControl('oom_kill 1\n')).toThrow(/no "under_oom" line/);
    fuzzParser(parseOomControl, hybrid('memory', LIMITED, 'memory.oom_control'));
  });

  it('reads v1 memory.limit_in_bytes, the page-counter maximum being no limit', () => {
    expect(parseMemoryLimitV1(hybrid('memory', LIMITED, 'memory.limit_in_bytes'))).toBe(67108864);
    expect(parseMemoryLimitV1(hybrid('memory', UNLIMITED, 'memory.limit_in_bytes'))).toBeUndefined();
    expect(parseMemoryLimitV1('9223372036854710272\n')).toBeUndefined(); // 64 KiB pages
    fuzzParser(parseMemoryLimitV1, '67108864\n');
  });
});

describe('io', () => {
  it('sums v2 io.stat over devices; an empty file is no I/O yet', () => {
    expect(parseIoStat(v2('nginx.service', 'io.stat'))).toEqual({
      readBytes: 1458180096,
      writeBytes: 3221233664,
      reads: 35602,
      writes: 98306,
    });
    expect(parseIoStat('')).toEqual({ readBytes: 0, writeBytes: 0, reads: 0, writes: 0 });
  });

  it('skips keys it does not use, decimals of io.cost included, and keeps sums exact beyond 2^53', () => {
    expect(
      parseIoStat(
        '8:0 rbytes=9007199254740991 wbytes=0 rios=1 wios=0 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=12\n' +
          '8:16 rbytes=2 wbytes=0 rios=1 wios=0\n',
      ),
    ).toEqual({ readBytes: 9007199254740993n, writeBytes: 0, reads: 2, writes: 0 });
  });

  it('names the line of a bad io.stat', () => {
    expect(() => parseIoStat('sda rbytes=1\n')).toThrow(/io.stat line 1: expected "MAJ:MIN", got "sda"/);
    expect(() => parseIoStat('8:0 rbytes\n')).toThrow(/io.stat line 1: expected key=value/);
    expect(() => parseIoStat('8:0 rbytes=1\n8:1 wios=-1\n')).toThrow(/io.stat line 2: wios: not an unsigned/);
    fuzzParser(parseIoStat, v2('nginx.service', 'io.stat'));
  });

  it('sums Read and Write of v1 blkio.throttle files, leaving Total (discards included) aside', () => {
    expect(parseBlkioBytes(hybrid('blkio', LIMITED, 'blkio.throttle.io_service_bytes'))).toEqual({
      read: 4194304,
      write: 4206592,
    });
    expect(parseBlkioServiced(hybrid('blkio', LIMITED, 'blkio.throttle.io_serviced'))).toEqual({ read: 64, write: 68 });
    expect(parseBlkioBytes(hybrid('blkio', UNLIMITED, 'blkio.throttle.io_service_bytes'))).toEqual({
      read: 0,
      write: 0,
    });
    expect(() => parseBlkioBytes('8:0 Read x\n')).toThrow(/io_service_bytes line 1: Read: not an unsigned/);
    expect(() => parseBlkioServiced('8:0\n')).toThrow(/io_serviced line 1: expected an operation/);
    fuzzParser(parseBlkioBytes, hybrid('blkio', LIMITED, 'blkio.throttle.io_service_bytes'));
    fuzzParser(parseBlkioServiced, hybrid('blkio', LIMITED, 'blkio.throttle.io_serviced'));
  });
});

describe('pids', () => {
  it('reads pids.max and pids.events', () => {
    expect(parsePidsMax('max\n')).toBeUndefined();
    expect(parsePidsMax('400\n')).toBe(400);
    expect(parsePidsEvents('max 3\nmax.imposed 1\n')).toBe(3);
    expect(() => parsePidsEvents('other 1\n')).toThrow(/no "max" line/);
    fuzzParser(parsePidsMax, '400\n');
    fuzzParser(parsePidsEvents, 'max 3\n');
  });

  it('reads the pids files of a real v1 cgroup that refused forks, and of hand-written v2 ones', () => {
    expect(parsePidsCurrent(hybrid('pids', LIMITED, 'pids.current'))).toBe(4);
    expect(parsePidsMax(hybrid('pids', LIMITED, 'pids.max'))).toBe(64);
    expect(parsePidsEvents(hybrid('pids', LIMITED, 'pids.events'))).toBe(5);
    expect(parsePidsMax(hybrid('pids', UNLIMITED, 'pids.max'))).toBeUndefined();
    expect(parsePidsEvents(v2('nginx.service', 'pids.events'))).toBe(4);
    fuzzParser(parsePidsCurrent, '37\n');
  });
});

describe('pressure', () => {
  it('keeps the some and full stall totals of a cgroup pressure file', () => {
    expect(parseCgroupPressure(hybrid('unified', LIMITED, 'cpu.pressure'))).toEqual({
      someUsec: 2749827,
      fullUsec: 2590084,
    });
    expect(parseCgroupPressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n')).toEqual({ someUsec: 5 });
    expect(() => parseCgroupPressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=5\n')).toThrow(/no "some" line/);
    fuzzParser(parseCgroupPressure, hybrid('unified', LIMITED, 'memory.pressure'));
  });
});
