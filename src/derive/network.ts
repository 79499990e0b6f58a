import type { NetDevCounters, NetInterface, NetworkSample, ProtoCounters } from '../../collectors/network.js';
import type { Counter } from '../../collectors/types.js';
import { counterDelta, counterRate } from './counter.js';
import type { DeriveContext, Deriver } from './types.js';

const LOOPBACK = 'lo';

/** Per interface rates (lo skipped), link utilization where the speed is known, host-wide UDP/TCP/softnet rates. */
export const deriveNetwork: Deriver<NetworkSample> = (prev, cur, ctx) => {
  for (const [name, nic] of cur.interfaces) {
    if (name === LOOPBACK) continue;
    const speedBps = linkSpeedBps(name, nic, ctx);
    ctx.out.set('net.speed_bps', name, speedBps);
    const before = prev?.interfaces.get(name);
    if (before !== undefined) deriveInterface(name, before, nic, speedBps, ctx);
  }
  const estab = get(cur.snmp, 'Tcp', 'CurrEstab');
  if (estab !== undefined) ctx.out.set('tcp.established', '', Number(estab));
  if (prev === undefined) return;
  const dt = ctx.dtSeconds;
  const out = ctx.out;
  if (prev.softnet !== undefined && cur.softnet !== undefined) {
    // softnet_stat rows are per online CPU: a CPU going offline lowers the sums, which counterRate treats as a reset.
    out.set('net.softnet_drops_ps', '', counterRate(prev.softnet.dropped, cur.softnet.dropped, dt));
    out.set('net.softnet_squeezed_ps', '', counterRate(prev.softnet.timeSqueezed, cur.softnet.timeSqueezed, dt));
  }
  const snmp = (proto: string, field: string) =>
    counterRate(get(prev.snmp, proto, field), get(cur.snmp, proto, field), dt);
  const netstat = (field: string) =>
    counterRate(get(prev.netstat, 'TcpExt', field), get(cur.netstat, 'TcpExt', field), dt);
  out.set('net.udp_rcvbuf_errors_ps', '', snmp('Udp', 'RcvbufErrors'));
  out.set('net.udp_sndbuf_errors_ps', '', snmp('Udp', 'SndbufErrors'));
  out.set('net.udp_in_errors_ps', '', snmp('Udp', 'InErrors'));
  out.set('tcp.retrans_ps', '', snmp('Tcp', 'RetransSegs'));
  out.set('tcp.active_opens_ps', '', snmp('Tcp', 'ActiveOpens'));
  out.set('tcp.passive_opens_ps', '', snmp('Tcp', 'PassiveOpens'));
  out.set('tcp.attempt_fails_ps', '', snmp('Tcp', 'AttemptFails'));
  out.set('tcp.estab_resets_ps', '', snmp('Tcp', 'EstabResets'));
  out.set('tcp.out_rsts_ps', '', snmp('Tcp', 'OutRsts'));
  out.set('tcp.in_segs_ps', '', snmp('Tcp', 'InSegs'));
  out.set('tcp.out_segs_ps', '', snmp('Tcp', 'OutSegs'));
  const inErrs = snmp('Tcp', 'InErrs');
  const inCsumErrors = snmp('Tcp', 'InCsumErrors') ?? 0; // absent before 3.10
  if (inErrs !== undefined) out.set('tcp.in_errors_ps', '', inErrs + inCsumErrors);
  const retrans = counterDelta(get(prev.snmp, 'Tcp', 'RetransSegs'), get(cur.snmp, 'Tcp', 'RetransSegs'));
  const outSegs = counterDelta(get(prev.snmp, 'Tcp', 'OutSegs'), get(cur.snmp, 'Tcp', 'OutSegs'));
  if (retrans !== undefined && outSegs !== undefined && outSegs > 0)
    out.set('tcp.retrans_ratio', '', retrans / outSegs);
  out.set('tcp.listen_overflows_ps', '', netstat('ListenOverflows'));
  out.set('tcp.listen_drops_ps', '', netstat('ListenDrops'));
  out.set('tcp.backlog_drops_ps', '', netstat('TCPBacklogDrop'));
  out.set('tcp.reqq_full_drops_ps', '', netstat('TCPReqQFullDrop'));
  out.set('tcp.abort_on_memory_ps', '', netstat('TCPAbortOnMemory'));
  out.set('tcp.abort_on_timeout_ps', '', netstat('TCPAbortOnTimeout'));
};

/** The configured speed wins: drivers report -1 (virtio) or a nominal rate a shaper never lets through. */
function linkSpeedBps(name: string, nic: NetInterface, ctx: DeriveContext): number | undefined {
  const overrides = ctx.config.linkSpeedsBps;
  if (Object.hasOwn(overrides, name)) return overrides[name];
  return nic.link.speedMbps === undefined ? undefined : nic.link.speedMbps * 1e6;
}

function get(counters: ProtoCounters | undefined, proto: string, field: string): Counter | undefined {
  return counters?.get(proto)?.get(field);
}

function sumDelta(a: NetDevCounters, b: NetDevCounters, keys: readonly (keyof NetDevCounters)[]): number | undefined {
  let sum = 0;
  for (const k of keys) {
    const d = counterDelta(a[k], b[k]);
    if (d === undefined) return undefined;
    sum += d;
  }
  return sum;
}

const DROP_KEYS: readonly (keyof NetDevCounters)[] = ['rxDrop', 'rxFifo', 'txDrop', 'txFifo'];
const ERROR_KEYS: readonly (keyof NetDevCounters)[] = ['rxErrs', 'rxFrame', 'txErrs', 'txColls', 'txCarrier'];

function deriveInterface(
  name: string,
  before: NetInterface,
  nic: NetInterface,
  speedBps: number | undefined,
  ctx: DeriveContext,
) {
  const dt = ctx.dtSeconds;
  if (!(dt > 0)) return;
  const a = before.counters;
  const b = nic.counters;
  const rxBytes = counterDelta(a.rxBytes, b.rxBytes);
  const txBytes = counterDelta(a.txBytes, b.txBytes);
  const packets = sumDelta(a, b, ['rxPackets', 'txPackets']);
  // An interface recreated under the same name restarts every counter: no rate for that interval.
  if (rxBytes === undefined || txBytes === undefined || packets === undefined) return;
  const out = ctx.out;
  out.set('net.rx_bps', name, rxBytes / dt);
  out.set('net.tx_bps', name, txBytes / dt);
  out.set('net.rx_pps', name, counterRate(a.rxPackets, b.rxPackets, dt));
  out.set('net.tx_pps', name, counterRate(a.txPackets, b.txPackets, dt));
  const drops = sumDelta(a, b, DROP_KEYS);
  const errors = sumDelta(a, b, ERROR_KEYS);
  if (drops !== undefined) out.set('net.drops_ps', name, drops / dt);
  if (errors !== undefined) out.set('net.errors_ps', name, errors / dt);
  if (packets > 0) {
    if (drops !== undefined) out.set('net.drop_ratio', name, drops / packets);
    if (errors !== undefined) out.set('net.error_ratio', name, errors / packets);
  }
  if (speedBps !== undefined && speedBps > 0) {
    // sysstat compute_ifutil; an unknown duplex (virtio with a configured speed) is taken as full duplex.
    const bytes = nic.link.duplex === 'half' ? rxBytes + txBytes : Math.max(rxBytes, txBytes);
    out.set('net.utilization', name, (bytes * 8) / dt / speedBps);
  }
}
