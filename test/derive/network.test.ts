import { describe, expect, it } from 'vitest';
import type { LinkFacts, NetDevCounters, NetworkSample, ProtoCounters } from '../../collectors/network.js';
import type { Counter } from '../../collectors/types.js';
import { deriveNetwork } from '../../src/derive/network.js';
import { type DeriveConfig, type DeriveContext, defaultDeriveConfig, MetricSink } from '../../src/derive/types.js';

const ZERO: NetDevCounters = {
  rxBytes: 0,
  rxPackets: 0,
  rxErrs: 0,
  rxDrop: 0,
  rxFifo: 0,
  rxFrame: 0,
  rxCompressed: 0,
  rxMulticast: 0,
  txBytes: 0,
  txPackets: 0,
  txErrs: 0,
  txDrop: 0,
  txFifo: 0,
  txColls: 0,
  txCarrier: 0,
  txCompressed: 0,
};

type Nic = [string, Partial<NetDevCounters>, Partial<LinkFacts>?];

function sample(nics: Nic[], extra: Partial<NetworkSample> = {}): NetworkSample {
  return {
    interfaces: new Map(
      nics.map(([name, c, link]) => [
        name,
        { counters: { ...ZERO, ...c }, link: { duplex: 'unknown', physical: true, ...link } },
      ]),
    ),
    ...extra,
  };
}

function proto(tables: Record<string, Record<string, Counter>>): ProtoCounters {
  return new Map(Object.entries(tables).map(([p, t]) => [p, new Map(Object.entries(t))]));
}

function run(prev: NetworkSample | undefined, cur: NetworkSample, dtSeconds = 2, config: Partial<DeriveConfig> = {}) {
  const ctx: DeriveContext = { dtSeconds, out: new MetricSink(), config: { ...defaultDeriveConfig, ...config } };
  deriveNetwork(prev, cur, ctx);
  return ctx.out;
}

describe('deriveNetwork per interface', () => {
  const a = sample([
    ['eth0', { rxBytes: 1000, txBytes: 500, rxPackets: 10, txPackets: 10 }, { speedMbps: 1000, duplex: 'full' }],
  ]);
  const b = sample([
    [
      'eth0',
      {
        rxBytes: 251_000,
        txBytes: 100_500,
        rxPackets: 210,
        txPackets: 110,
        rxDrop: 2,
        rxFifo: 1,
        txDrop: 1,
        rxErrs: 1,
        txCarrier: 1,
        rxFrame: 1,
        txColls: 1,
        txErrs: 1,
      },
      { speedMbps: 1000, duplex: 'full' },
    ],
  ]);

  it('computes byte, packet, drop and error rates and ratios', () => {
    const out = run(a, b, 2);
    expect(out.get('net.rx_bps', 'eth0')).toBe(125_000);
    expect(out.get('net.tx_bps', 'eth0')).toBe(50_000);
    expect(out.get('net.rx_pps', 'eth0')).toBe(100);
    expect(out.get('net.tx_pps', 'eth0')).toBe(50);
    expect(out.get('net.drops_ps', 'eth0')).toBe(2); // 4 drops / 2 s
    expect(out.get('net.errors_ps', 'eth0')).toBe(2.5); // 5 errors / 2 s
    expect(out.get('net.drop_ratio', 'eth0')).toBe(4 / 300);
    expect(out.get('net.error_ratio', 'eth0')).toBe(5 / 300);
  });

  it('computes full-duplex utilization from the busier direction against the sysfs speed', () => {
    const out = run(a, b, 2);
    expect(out.get('net.speed_bps', 'eth0')).toBe(1e9);
    expect(out.get('net.utilization', 'eth0')).toBe((125_000 * 8) / 1e9);
  });

  it('adds both directions on a half-duplex link', () => {
    const half = (s: NetworkSample) => {
      s.interfaces.get('eth0')!.link.duplex = 'half';
      return s;
    };
    const out = run(
      half(sample([['eth0', {}, { speedMbps: 10 }]])),
      half(sample([['eth0', { rxBytes: 500_000, txBytes: 250_000 }, { speedMbps: 10 }]])),
      1,
    );
    expect(out.get('net.utilization', 'eth0')).toBe((750_000 * 8) / 10e6);
  });

  it('sets utilization only when the speed is known or configured', () => {
    const unknownA = sample([['eth0', {}]]);
    const unknownB = sample([['eth0', { rxBytes: 1_000_000 }]]);
    const out = run(unknownA, unknownB, 1);
    expect(out.get('net.rx_bps', 'eth0')).toBe(1_000_000);
    expect(out.get('net.utilization', 'eth0')).toBeUndefined();
    expect(out.get('net.speed_bps', 'eth0')).toBeUndefined();
    const overridden = run(unknownA, unknownB, 1, { linkSpeedsBps: { eth0: 10e9 } });
    expect(overridden.get('net.speed_bps', 'eth0')).toBe(10e9);
    expect(overridden.get('net.utilization', 'eth0')).toBe(8e6 / 10e9);
  });

  it('prefers the configured speed over what sysfs says', () => {
    const out = run(a, b, 2, { linkSpeedsBps: { eth0: 100e6 } });
    expect(out.get('net.utilization', 'eth0')).toBe((125_000 * 8) / 100e6);
  });

  it('sets no ratio when no packet moved', () => {
    const out = run(a, a, 2);
    expect(out.get('net.rx_bps', 'eth0')).toBe(0);
    expect(out.get('net.drop_ratio', 'eth0')).toBeUndefined();
    expect(out.get('net.error_ratio', 'eth0')).toBeUndefined();
  });

  it('sets no rate on the first sample and skips lo', () => {
    expect(run(undefined, b).values).toEqual({ 'net.speed_bps': { eth0: 1e9 } });
    const lo = run(sample([['lo', {}]]), sample([['lo', { rxBytes: 100 }]]), 1);
    expect(lo.values).toEqual({});
  });

  it('gives no rate when the interface was recreated (counters back to 0)', () => {
    const out = run(b, sample([['eth0', { rxBytes: 10, txBytes: 10, rxPackets: 1, txPackets: 1 }]]), 2);
    expect(out.get('net.rx_bps', 'eth0')).toBeUndefined();
    expect(out.get('net.drops_ps', 'eth0')).toBeUndefined();
    expect(out.get('net.utilization', 'eth0')).toBeUndefined();
  });

  it('handles interfaces appearing and vanishing', () => {
    const out = run(
      sample([
        ['eth0', {}],
        ['veth1', {}],
      ]),
      sample([
        ['eth0', { rxBytes: 10 }],
        ['veth2', { rxBytes: 99 }],
      ]),
      1,
    );
    expect(out.get('net.rx_bps', 'eth0')).toBe(10);
    expect(out.values['net.rx_bps']).toEqual({ eth0: 10 });
  });
});

describe('deriveNetwork host-wide TCP, UDP and softnet', () => {
  const snmpA = proto({
    Tcp: {
      ActiveOpens: 10,
      PassiveOpens: 20,
      AttemptFails: 0,
      EstabResets: 0,
      CurrEstab: 5,
      InSegs: 1000,
      OutSegs: 1000,
      RetransSegs: 10,
      InErrs: 0,
      OutRsts: 0,
      InCsumErrors: 0,
    },
    Udp: { InErrors: 0, RcvbufErrors: 0, SndbufErrors: 0 },
  });
  const snmpB = proto({
    Tcp: {
      ActiveOpens: 14,
      PassiveOpens: 30,
      AttemptFails: 2,
      EstabResets: 4,
      CurrEstab: 9,
      InSegs: 3000,
      OutSegs: 2000,
      RetransSegs: 30,
      InErrs: 2,
      OutRsts: 6,
      InCsumErrors: 2,
    },
    Udp: { InErrors: 8, RcvbufErrors: 6, SndbufErrors: 2 },
  });
  const extA = proto({
    TcpExt: {
      ListenOverflows: 0,
      ListenDrops: 0,
      TCPBacklogDrop: 0,
      TCPReqQFullDrop: 0,
      TCPAbortOnMemory: 0,
      TCPAbortOnTimeout: 0,
    },
  });
  const extB = proto({
    TcpExt: {
      ListenOverflows: 4,
      ListenDrops: 6,
      TCPBacklogDrop: 2,
      TCPReqQFullDrop: 8,
      TCPAbortOnMemory: 2,
      TCPAbortOnTimeout: 4,
    },
  });
  const a = sample([], { snmp: snmpA, netstat: extA, softnet: { processed: 100, dropped: 0, timeSqueezed: 0 } });
  const b = sample([], { snmp: snmpB, netstat: extB, softnet: { processed: 300, dropped: 4, timeSqueezed: 10 } });

  it('computes rates, the retransmit ratio and the established gauge', () => {
    const out = run(a, b, 2);
    expect(out.values).toMatchObject({
      'tcp.established': { '': 9 },
      'tcp.retrans_ratio': { '': 20 / 1000 },
      'tcp.retrans_ps': { '': 10 },
      'tcp.active_opens_ps': { '': 2 },
      'tcp.passive_opens_ps': { '': 5 },
      'tcp.attempt_fails_ps': { '': 1 },
      'tcp.estab_resets_ps': { '': 2 },
      'tcp.out_rsts_ps': { '': 3 },
      'tcp.in_segs_ps': { '': 1000 },
      'tcp.out_segs_ps': { '': 500 },
      'tcp.in_errors_ps': { '': 2 },
      'tcp.listen_overflows_ps': { '': 2 },
      'tcp.listen_drops_ps': { '': 3 },
      'tcp.backlog_drops_ps': { '': 1 },
      'tcp.reqq_full_drops_ps': { '': 4 },
      'tcp.abort_on_memory_ps': { '': 1 },
      'tcp.abort_on_timeout_ps': { '': 2 },
      'net.udp_rcvbuf_errors_ps': { '': 3 },
      'net.udp_sndbuf_errors_ps': { '': 1 },
      'net.udp_in_errors_ps': { '': 4 },
      'net.softnet_drops_ps': { '': 2 },
      'net.softnet_squeezed_ps': { '': 5 },
    });
  });

  it('sets only the established gauge on the first sample', () => {
    expect(run(undefined, b).values).toEqual({ 'tcp.established': { '': 9 } });
  });

  it('sets no retransmit ratio when no segment was sent', () => {
    const out = run(a, a, 2);
    expect(out.get('tcp.retrans_ps')).toBe(0);
    expect(out.get('tcp.retrans_ratio')).toBeUndefined();
  });

  it('gives no rate when a counter went back (netns recreated, CPU offlined for softnet)', () => {
    const out = run(b, a, 2);
    expect(out.get('tcp.retrans_ps')).toBeUndefined();
    expect(out.get('net.softnet_drops_ps')).toBeUndefined();
    expect(out.get('tcp.established')).toBe(5);
  });

  it('sets nothing from a file that could not be read', () => {
    const out = run(sample([]), sample([], { snmp: snmpB }), 2);
    expect(out.values).toEqual({ 'tcp.established': { '': 9 } });
  });
});
