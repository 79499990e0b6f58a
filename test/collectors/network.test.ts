import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createNetworkCollector,
  type NetworkSample,
  parseNetDev,
  parseProtoCounters,
  parseSoftnetStat,
  parseSpeed,
} from '../../collectors/network.js';
import { ProcFs, SourceLog, statusOfError } from '../../collectors/procfs.js';
import { fuzzParser } from './parser-fuzz.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const hostFile = (rel: string) => readFileSync(join(fixtures, 'host', rel), 'latin1');

async function collect(fs: ProcFs, collector = createNetworkCollector()) {
  const log = new SourceLog(fs);
  const sample = (await collector.read(log)) as NetworkSample | undefined;
  return { sample, reports: log.reports };
}

describe('parseNetDev', () => {
  it('reads every interface of this host value by value', () => {
    const devs = parseNetDev(hostFile('proc/net/dev'));
    expect([...devs.keys()]).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(devs.get('eth0')).toEqual({
      rxBytes: 181153572,
      rxPackets: 5120,
      rxErrs: 0,
      rxDrop: 0,
      rxFifo: 0,
      rxFrame: 0,
      rxCompressed: 0,
      rxMulticast: 0,
      txBytes: 381888,
      txPackets: 3138,
      txErrs: 0,
      txDrop: 0,
      txFifo: 0,
      txColls: 0,
      txCarrier: 0,
      txCompressed: 0,
    });
    expect(devs.get('lo')).toMatchObject({ rxBytes: 3193, rxPackets: 29, txBytes: 3193, txPackets: 29 });
  });

  it("splits at the last ':' (an alias name holds one) and accepts no space after it", () => {
    const devs = parseNetDev(readFileSync(join(fixtures, 'netdev-alias/proc/net/dev'), 'latin1'));
    expect([...devs.keys()]).toEqual(['lo', 'eth0', 'eth0:1', 'eth1']);
    expect(devs.get('eth0')).toMatchObject({
      rxBytes: 1234567890123,
      rxPackets: 2000,
      rxErrs: 1,
      rxDrop: 2,
      rxFifo: 3,
      rxFrame: 4,
      rxMulticast: 5,
      txBytes: 987654321,
      txPackets: 1500,
      txErrs: 6,
      txDrop: 7,
      txFifo: 8,
      txColls: 9,
      txCarrier: 10,
    });
    expect(devs.get('eth0:1')).toMatchObject({ rxBytes: 10, txBytes: 20 });
  });

  it('names the line of a row with a wrong counter count', () => {
    expect(() => parseNetDev('h1\nh2\n  eth0: 1 2 3\n')).toThrow(/line 3: expected 16 counters, got 3/);
    expect(() => parseNetDev('h1\nh2\n  eth0 1 2 3\n')).toThrow(/line 3: no ':'/);
  });
});

describe('parseProtoCounters', () => {
  it('maps /proc/net/snmp by prefix and column name, MaxConn signed', () => {
    const snmp = parseProtoCounters(hostFile('proc/net/snmp'));
    expect([...snmp.keys()]).toEqual(['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite']);
    const tcp = snmp.get('Tcp')!;
    expect(tcp.get('MaxConn')).toBe(-1);
    expect(tcp.get('ActiveOpens')).toBe(57);
    expect(tcp.get('InSegs')).toBe(5117);
    expect(tcp.get('OutSegs')).toBe(3129);
    expect(tcp.get('OutRsts')).toBe(92);
    expect(snmp.get('Udp')!.get('OutDatagrams')).toBe(30);
    expect(snmp.get('Ip')!.get('OutTransmits')).toBe(3157);
  });

  it('maps /proc/net/netstat (TcpExt, IpExt, MPTcpExt) by name', () => {
    const netstat = parseProtoCounters(hostFile('proc/net/netstat'));
    expect([...netstat.keys()]).toEqual(['TcpExt', 'IpExt', 'MPTcpExt']);
    const ext = netstat.get('TcpExt')!;
    expect(ext.get('TW')).toBe(10);
    expect(ext.get('DelayedACKs')).toBe(17);
    expect(ext.get('ListenOverflows')).toBe(0);
    expect(ext.get('TCPHPHits')).toBe(31);
    expect(netstat.get('IpExt')!.get('InOctets')).toBe(181084929);
  });

  it('finds the columns by name when a kernel adds one', () => {
    const snmp = parseProtoCounters(readFileSync(join(fixtures, 'netdev-alias/proc/net/snmp'), 'latin1'));
    expect(snmp.get('Tcp')!.get('RetransSegs')).toBe(9);
    expect(snmp.get('Tcp')!.get('FutureCounter')).toBe(42);
    expect(snmp.get('Udp')!.get('RcvbufErrors')).toBe(3);
  });

  it('names the line of a mismatched pair', () => {
    expect(() => parseProtoCounters('Tcp: A B\nTcp: 1\n')).toThrow(/line 2: 2 names but 1 values/);
    expect(() => parseProtoCounters('Tcp: A B\nUdp: 1 2\n')).toThrow(/line 2: expected values for "Tcp:"/);
    expect(() => parseProtoCounters('Tcp: A B\n')).toThrow(/line 1: header line without a value line/);
  });
});

describe('parseSoftnetStat and parseSpeed', () => {
  it('sums the hex columns over CPUs', () => {
    expect(parseSoftnetStat(hostFile('proc/net/softnet_stat'))).toEqual({
      processed: 0xe + 0x140f,
      dropped: 0,
      timeSqueezed: 0,
    });
    expect(parseSoftnetStat('00000010 00000002 0000000a\n00000001 00000003 00000001\n')).toEqual({
      processed: 17,
      dropped: 5,
      timeSqueezed: 11,
    });
  });

  it('reads speed in Mb/s, -1 and 0 as unknown', () => {
    expect(parseSpeed('10000\n')).toBe(10000);
    expect(parseSpeed('-1\n')).toBeUndefined();
    expect(parseSpeed('0\n')).toBeUndefined();
  });
});

/** A ProcFs whose sysfs speed and duplex answer EINVAL, as the kernel does for lo, ifb and down links. */
class EinvalSpeedFs extends ProcFs {
  override readOnce(rel: string) {
    if (rel.endsWith('/speed') || rel.endsWith('/duplex')) {
      const err = Object.assign(new Error('Invalid argument'), { code: 'EINVAL' });
      return { ok: false as const, ...statusOfError(err) };
    }
    return super.readOnce(rel);
  }
}

describe('createNetworkCollector', () => {
  it('reads this host: counters, link facts, snmp, netstat, softnet; speed -1 is unknown and not a problem', async () => {
    const fs = new ProcFs(join(fixtures, 'host'));
    const { sample, reports } = await collect(fs);
    fs.close();
    expect([...sample!.interfaces.keys()]).toEqual(['lo', 'ifb0', 'ifb1', 'eth0']);
    expect(sample!.interfaces.get('eth0')!.link).toEqual({
      duplex: 'unknown',
      operstate: 'up',
      mtu: 1400,
      physical: true,
    });
    expect(sample!.interfaces.get('lo')!.link).toEqual({
      duplex: 'unknown',
      operstate: 'unknown',
      mtu: 65536,
      physical: false,
    });
    expect(sample!.snmp!.get('Tcp')!.get('CurrEstab')).toBe(0);
    expect(sample!.netstat!.get('TcpExt')!.get('TCPBacklogDrop')).toBe(0);
    expect(sample!.softnet).toEqual({ processed: 0x141d, dropped: 0, timeSqueezed: 0 });
    expect(reports.filter((r) => r.status !== 'ok')).toEqual([]);
  });

  it('reads a known speed and duplex from sysfs', async () => {
    const fs = new ProcFs(join(fixtures, 'netdev-alias'));
    const { sample } = await collect(fs);
    fs.close();
    expect(sample!.interfaces.get('eth0')!.link).toEqual({
      speedMbps: 1000,
      duplex: 'full',
      operstate: 'up',
      mtu: 9000,
      physical: true,
    });
    expect(sample!.interfaces.get('eth1')!.link).toMatchObject({ speedMbps: 100, duplex: 'half', physical: false });
  });

  it('treats EINVAL on speed as unknown, without reporting it', async () => {
    const fs = new EinvalSpeedFs(join(fixtures, 'netdev-alias'));
    const { sample, reports } = await collect(fs);
    fs.close();
    const eth0 = sample!.interfaces.get('eth0')!.link;
    expect(eth0.speedMbps).toBeUndefined();
    expect(eth0.duplex).toBe('unknown');
    expect(reports.filter((r) => r.source.startsWith('sys/') && r.status !== 'ok')).toEqual([]);
  });

  it('reads link facts once per TTL and for a new interface at once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-net-'));
    try {
      const header = 'h1\nh2\n';
      const row = (n: string) => `${n}: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n`;
      mkdirSync(join(root, 'proc/net'), { recursive: true });
      mkdirSync(join(root, 'sys/class/net/eth0'), { recursive: true });
      mkdirSync(join(root, 'sys/class/net/eth1'), { recursive: true });
      writeFileSync(join(root, 'sys/class/net/eth0/speed'), '1000\n');
      writeFileSync(join(root, 'sys/class/net/eth1/speed'), '100\n');
      writeFileSync(join(root, 'proc/net/dev'), header + row('eth0'));
      let t = 0;
      const collector = createNetworkCollector({ now: () => t, factsTtlMs: 60_000 });
      const fs = new ProcFs(root);
      const speed = async (n: string) => (await collect(fs, collector)).sample!.interfaces.get(n)?.link.speedMbps;
      expect(await speed('eth0')).toBe(1000);
      writeFileSync(join(root, 'sys/class/net/eth0/speed'), '10000\n');
      t = 59_000;
      expect(await speed('eth0')).toBe(1000);
      t = 60_000;
      expect(await speed('eth0')).toBe(10000);
      writeFileSync(join(root, 'proc/net/dev'), header + row('eth0') + row('eth1'));
      t = 61_000;
      expect(await speed('eth1')).toBe(100);
      fs.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('network parsers robustness', () => {
  const texts = {
    netDev: hostFile('proc/net/dev'),
    snmp: hostFile('proc/net/snmp'),
    softnet: hostFile('proc/net/softnet_stat'),
  };
  const parsers: [string, (t: string) => unknown, string][] = [
    ['net/dev', parseNetDev, texts.netDev],
    ['snmp', parseProtoCounters, texts.snmp],
    ['softnet_stat', parseSoftnetStat, texts.softnet],
  ];

  for (const [what, parse, real] of parsers) {
    it(`${what}: arbitrary or truncated text yields a value or a ParseError, nothing else`, () => {
      fuzzParser(parse, real);
    });
  }

  it('through the collector, bad content is a failed report, never an exception', async () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-net-'));
    try {
      mkdirSync(join(root, 'proc/net'), { recursive: true });
      const files = ['dev', 'snmp', 'netstat', 'softnet_stat'];
      await fc.assert(
        fc.asyncProperty(fc.array(fc.string(), { minLength: 4, maxLength: 4 }), async (contents) => {
          files.forEach((f, i) => {
            writeFileSync(join(root, 'proc/net', f), contents[i]);
          });
          const fs = new ProcFs(root);
          const { reports } = await collect(fs);
          fs.close();
          for (const r of reports) expect(['ok', 'failed', 'absent']).toContain(r.status);
        }),
        { numRuns: 50 },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
