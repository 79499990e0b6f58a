import { describe, expect, it } from 'vitest';
import type { CpuTimes } from '../../collectors/cpu.js';
import type { DiskStats } from '../../collectors/disk.js';
import type { NetDevCounters } from '../../collectors/network.js';
import {
  cpuCounters,
  createMemoryCounters,
  createNetworkCounters,
  diskCounters,
  filesystemCounters,
  pressureCounters,
} from '../../src/derive/counters.js';
import { CPU_TIME_MODES, CpuSecondsTable, type HostCounters } from '../../src/model/counters.js';

const TIMES: CpuTimes = {
  user: 2879,
  nice: 1,
  system: 1418,
  idle: 45113,
  iowait: 214,
  irq: 0,
  softirq: 40,
  steal: 8,
  guest: 12,
  guestNice: 3,
};

describe('the counters section, in the units the exporters publish', () => {
  it('CPU times in seconds (USER_HZ 100) by logical CPU number, /proc/stat lines as numbers', () => {
    const into: HostCounters = {};
    cpuCounters(
      {
        stat: {
          total: TIMES,
          cpus: new Map([
            ['cpu12', TIMES],
            ['cpu3', { ...TIMES, idle: 100 }],
          ]),
          ctxt: 2n ** 60n,
          intr: 77,
          processes: 9,
          btime: 1.7e9,
        },
        loadavg: { load1: 1.18, load5: 0.5, load15: 0.21, running: 1, threads: 300, lastPid: 4000 },
      },
      into,
    );
    const cpus = into.cpus!;
    expect(cpus.logical).toEqual([12, 3]);
    const seconds = CPU_TIME_MODES.map((mode) => cpus.seconds(0, mode));
    expect(seconds).toEqual([28.79, 0.01, 14.18, 451.13, 2.14, 0, 0.4, 0.08, 0.12, 0.03]);
    expect(cpus.seconds(1, 'idle')).toBe(1);
    expect(into.activity).toMatchObject({ contextSwitches: 2 ** 60, interrupts: 77, forks: 9, bootTime: 1.7e9 });
    expect(into.load).toEqual({ load1: 1.18, load5: 0.5, load15: 0.21 });
  });

  it('diskstats sectors as bytes and milliseconds as seconds; discarded sectors stay sectors', () => {
    const stats: DiskStats = {
      major: 254,
      minor: 0,
      name: 'vda',
      reads: 29995,
      readsMerged: 6277,
      sectorsRead: 2n ** 55n,
      readMs: 6006,
      writes: 7654,
      writesMerged: 16821,
      sectorsWritten: 1861592,
      writeMs: 3824,
      inflight: 2,
      ioMs: 3508,
      weightedMs: 10114,
      discards: 3633,
      discardsMerged: 68,
      sectorsDiscarded: 80128,
      discardMs: 233,
      flushes: 1000,
      flushMs: 49,
    };
    const into: HostCounters = {};
    diskCounters({ devices: new Map([['vda', { stats, physical: true }]]) }, into);
    const [vda] = into.disks ?? [];
    expect(vda).toMatchObject({ device: 'vda', reads: 29995, readBytes: 2 ** 64, writtenBytes: 1861592 * 512 });
    expect(vda.readSeconds).toBeCloseTo(6.006, 12);
    expect(vda.ioSeconds).toBeCloseTo(3.508, 12);
    expect(vda.weightedIoSeconds).toBeCloseTo(10.114, 12);
    expect(vda.flushSeconds).toBeCloseTo(0.049, 12);
    expect(vda).toMatchObject({ inflight: 2, discardedSectors: 80128 });
  });

  it('PSI averages as ratios and stall totals in seconds, for the files present only', () => {
    const into: HostCounters = {};
    pressureCounters(
      {
        io: {
          some: { avg10: 12.5, avg60: 2, avg300: 0.5, totalUs: 2_500_000 },
          full: { avg10: 1, avg60: 0, avg300: 0, totalUs: 2n ** 54n },
        },
      },
      into,
    );
    expect(into.pressure).toEqual({
      io: {
        some: { avg10: 0.125, avg60: 0.02, avg300: 0.005, totalSeconds: 2.5 },
        full: { avg10: 0.01, avg60: 0, avg300: 0, totalSeconds: 2 ** 54 / 1e6 },
      },
    });
  });

  it('vmstat under the kernel names exported (oom_kill), leaving out what this kernel lacks', () => {
    const into: HostCounters = {};
    const meminfo = new Map([['MemTotal', 1024 * 1024]]);
    createMemoryCounters()(
      {
        meminfo,
        vmstat: { pgpgin: 10, pswpin: 2n, pgscanKswapd: 5, pgscanDirect: 0, allocstall: 0, oomKill: 1 },
        pageSize: 4096,
      },
      into,
    );
    expect(into.memory?.meminfo.get('MemTotal')).toBe(1024 * 1024);
    expect(into.memory?.vmstat).toEqual({ pgpgin: 10, pswpin: 2, oom_kill: 1 });
  });

  it("link speed in bytes/s and operstate as up; only node_exporter's default netstat fields are kept", () => {
    const zero = Object.fromEntries(
      ['rx', 'tx'].flatMap((d) =>
        ['Bytes', 'Packets', 'Errs', 'Drop', 'Fifo', 'Frame', 'Compressed', 'Multicast', 'Colls', 'Carrier'].map(
          (f) => [`${d}${f}`, 0],
        ),
      ),
    ) as unknown as NetDevCounters;
    const into: HostCounters = {};
    createNetworkCounters()(
      {
        interfaces: new Map([
          [
            'eth0',
            {
              counters: { ...zero, rxBytes: 2n ** 53n + 2n },
              link: { speedMbps: 1000, duplex: 'full', operstate: 'down', mtu: 1500, physical: true },
            },
          ],
          ['lo', { counters: zero, link: { duplex: 'unknown', physical: false } }],
        ]),
        snmp: new Map([
          [
            'Tcp',
            new Map([
              ['ActiveOpens', 5],
              ['RtoAlgorithm', 1],
            ]),
          ],
          ['IcmpMsg', new Map([['InType3', 4]])],
        ]),
        netstat: new Map([
          [
            'TcpExt',
            new Map<string, number | bigint>([
              ['TCPTimeouts', 2n],
              ['TCPHPHits', 9],
            ]),
          ],
        ]),
      },
      into,
    );
    const [eth0, lo] = into.network?.interfaces ?? [];
    expect(eth0).toMatchObject({ name: 'eth0', rxBytes: 2 ** 53 + 2, speedBytes: 125_000_000, up: false, mtu: 1500 });
    expect(lo.speedBytes).toBeUndefined();
    expect(lo.up).toBeUndefined();
    const protocols = into.network?.protocols;
    expect(protocols?.keys()).toEqual(['Tcp_ActiveOpens', 'TcpExt_TCPTimeouts']);
    expect(protocols?.get('Tcp_ActiveOpens')).toBe(5);
    expect(protocols?.get('TcpExt_TCPTimeouts')).toBe(2);
    expect(protocols?.get('Tcp_RtoAlgorithm')).toBeUndefined();
  });

  it('filesystem sizes in bytes; a mount whose statfs failed or hung has only its device error', () => {
    const base = { fstype: 'ext4', source: '/dev/vda1', device: '254:1', readonly: false, stuck: false };
    const stats = { bsize: 4096, blocks: 1000, bfree: 400, bavail: 300, files: 64, ffree: 60 };
    const into: HostCounters = {};
    filesystemCounters(
      {
        mounts: new Map([
          ['/', { ...base, mountPoint: '/', stats }],
          ['/mnt/nfs', { ...base, mountPoint: '/mnt/nfs', fstype: 'nfs4', stuck: true }],
        ]),
      },
      into,
    );
    const [root, nfs] = into.filesystems ?? [];
    expect(root).toEqual({
      device: '/dev/vda1',
      mountPoint: '/',
      fstype: 'ext4',
      readonly: false,
      deviceError: false,
      sizeBytes: 4_096_000,
      freeBytes: 1_638_400,
      availBytes: 1_228_800,
      files: 64,
      filesFree: 60,
    });
    expect(nfs).toEqual({
      device: '/dev/vda1',
      mountPoint: '/mnt/nfs',
      fstype: 'nfs4',
      readonly: false,
      deviceError: true,
    });
  });
});

describe('named values (meminfo, netstat fields)', () => {
  it('frames share the field names while the set stays the same, and get new ones when it changes', () => {
    const build = createMemoryCounters();
    const tick = (meminfo: [string, number][]) => {
      const into: HostCounters = {};
      build({ meminfo: new Map(meminfo), pageSize: 4096 }, into);
      return into.memory!.meminfo;
    };
    const a = tick([
      ['MemTotal', 100],
      ['MemFree', 40],
    ]);
    const b = tick([
      ['MemTotal', 100],
      ['MemFree', 30],
    ]);
    const c = tick([
      ['MemTotal', 100],
      ['MemFree', 30],
      ['MemAvailable', 50],
    ]);
    expect(b.names).toBe(a.names);
    expect([a.get('MemFree'), b.get('MemFree')]).toEqual([40, 30]);
    expect(c.names).not.toBe(b.names);
    expect(c.keys()).toEqual(['MemTotal', 'MemFree', 'MemAvailable']);
    expect(c.get('MemAvailable')).toBe(50);
    expect(a.get('MemAvailable')).toBeUndefined();
  });
});

describe('the CPU seconds table', () => {
  it('refuses values that do not fill a row per CPU', () => {
    expect(() => new CpuSecondsTable([0, 1], [1, 2, 3])).toThrow('3 values for 2 CPUs');
  });
});
