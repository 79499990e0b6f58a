import { metricsOf } from './define.js';

const netDev = '/proc/net/dev';
const snmp = '/proc/net/snmp';
const netstat = '/proc/net/netstat';

/** Per interface (lo skipped). */
const nic = metricsOf('network', 'nic');
const hostNet = metricsOf('network', 'host');
const tcp = metricsOf('tcp', 'host');

/** A row of a TCP rate table: name, file, counter (Tcp in /proc/net/snmp, TcpExt in /proc/net/netstat), description. */
type TcpRateRow<N extends string> = readonly [N, typeof snmp | typeof netstat, string, string];

/** Per-second rates of TCP counters. */
function tcpRates<const N extends string>(table: readonly TcpRateRow<N>[]) {
  return table.map(([name, file, counter, description]) => {
    const field = `${file === snmp ? 'Tcp' : 'TcpExt'} ${counter}`;
    return tcp({ name, unit: 'per_s', description, source: `${file} ${field}`, formula: `Δ${field} / Δt` });
  });
}

/** Per interface and host-wide network and TCP metrics, derived in src/derive/network.ts. */
export const networkMetrics = [
  nic({
    name: 'net.rx_bps',
    unit: 'bytes_per_s',
    description: 'Bytes received per second',
    source: `${netDev} receive bytes`,
    formula: 'Δrx_bytes / Δt',
  }),
  nic({
    name: 'net.tx_bps',
    unit: 'bytes_per_s',
    description: 'Bytes sent per second',
    source: `${netDev} transmit bytes`,
    formula: 'Δtx_bytes / Δt',
  }),
  nic({
    name: 'net.rx_pps',
    unit: 'per_s',
    description: 'Packets received per second',
    source: `${netDev} receive packets`,
    formula: 'Δrx_packets / Δt',
  }),
  nic({
    name: 'net.tx_pps',
    unit: 'per_s',
    description: 'Packets sent per second',
    source: `${netDev} transmit packets`,
    formula: 'Δtx_packets / Δt',
  }),
  nic({
    name: 'net.drops_ps',
    unit: 'per_s',
    description: 'Packets dropped per second, receive and transmit (rx drop includes rx_missed_errors)',
    source: `${netDev} rx drop, rx fifo, tx drop, tx fifo`,
    formula: 'Δ(rx_drop + rx_fifo + tx_drop + tx_fifo) / Δt',
  }),
  nic({
    name: 'net.errors_ps',
    unit: 'per_s',
    description: 'Packet errors per second, receive and transmit',
    source: `${netDev} rx errs, frame, tx errs, colls, carrier`,
    formula: 'Δ(rx_errs + rx_frame + tx_errs + tx_colls + tx_carrier) / Δt',
  }),
  nic({
    name: 'net.drop_ratio',
    unit: 'ratio',
    description: 'Dropped packets per packet moved in the interval; not set when no packet moved',
    source: netDev,
    formula: 'Δdrops / Δ(rx_packets + tx_packets)',
  }),
  nic({
    name: 'net.error_ratio',
    unit: 'ratio',
    description: 'Packet errors per packet moved in the interval; not set when no packet moved',
    source: netDev,
    formula: 'Δerrors / Δ(rx_packets + tx_packets)',
  }),
  nic({
    name: 'net.speed_bps',
    unit: 'bits_per_s',
    description:
      'Link speed: the configured override, else what the driver reports (unknown on virtio, lo, ifb, down links)',
    source: '/sys/class/net/<if>/speed (Mb/s); linkSpeedsBps config',
    formula: 'override, else speed × 10^6',
  }),
  nic({
    name: 'net.utilization',
    unit: 'ratio',
    description: 'Share of link capacity in use (sysstat %ifutil); only when the speed is known or configured',
    source: `${netDev} bytes; /sys/class/net/<if>/speed, duplex`,
    formula:
      'full duplex: max(Δrx_bytes, Δtx_bytes) × 8 / Δt / speed; half duplex: (Δrx_bytes + Δtx_bytes) × 8 / Δt / speed',
  }),
  hostNet({
    name: 'net.softnet_drops_ps',
    unit: 'per_s',
    description: 'Packets dropped per second because a CPU input backlog was full (net.core.netdev_max_backlog)',
    source: '/proc/net/softnet_stat column 2 (hex), summed over CPUs',
    formula: 'Δdropped / Δt',
  }),
  hostNet({
    name: 'net.softnet_squeezed_ps',
    unit: 'per_s',
    description: 'Times per second packet processing ran out of budget with work left (net.core.netdev_budget)',
    source: '/proc/net/softnet_stat column 3 (time_squeeze, hex), summed over CPUs',
    formula: 'Δtime_squeeze / Δt',
  }),
  hostNet({
    name: 'net.udp_rcvbuf_errors_ps',
    unit: 'per_s',
    description: 'UDP datagrams dropped per second because a socket receive buffer was full',
    source: `${snmp} Udp RcvbufErrors`,
    formula: 'ΔRcvbufErrors / Δt',
  }),
  hostNet({
    name: 'net.udp_sndbuf_errors_ps',
    unit: 'per_s',
    description: 'UDP datagrams dropped per second because a socket send buffer was full',
    source: `${snmp} Udp SndbufErrors`,
    formula: 'ΔSndbufErrors / Δt',
  }),
  hostNet({
    name: 'net.udp_in_errors_ps',
    unit: 'per_s',
    description: 'UDP datagrams per second that could not be delivered (buffer errors and checksum errors included)',
    source: `${snmp} Udp InErrors`,
    formula: 'ΔInErrors / Δt',
  }),
  tcp({
    name: 'tcp.retrans_ratio',
    unit: 'ratio',
    description: 'Retransmitted segments per segment sent; not set when nothing was sent',
    source: `${snmp} Tcp RetransSegs, OutSegs`,
    formula: 'ΔRetransSegs / ΔOutSegs',
  }),
  // biome-ignore format: a table, one row per metric
  ...tcpRates([
    ['tcp.retrans_ps', snmp, 'RetransSegs', 'Segments retransmitted per second'],
    ['tcp.listen_overflows_ps', netstat, 'ListenOverflows', 'Connections per second dropped because a listen (accept) queue was full'],
    ['tcp.listen_drops_ps', netstat, 'ListenDrops', 'SYNs and connections dropped per second at a listening socket, any reason (overflows included)'],
  ]),
  tcp({
    name: 'tcp.in_errors_ps',
    unit: 'per_s',
    description: 'Segments received in error per second (bad header or checksum)',
    source: `${snmp} Tcp InErrs, InCsumErrors`,
    formula: 'Δ(InErrs + InCsumErrors) / Δt',
  }),
  tcp({
    name: 'tcp.established',
    unit: 'count',
    description: 'TCP connections in ESTABLISHED or CLOSE-WAIT state right now',
    source: `${snmp} Tcp CurrEstab`,
    formula: 'as read',
  }),
  // biome-ignore format: a table, one row per metric
  ...tcpRates([
    ['tcp.active_opens_ps', snmp, 'ActiveOpens', 'Outgoing connections started per second (connect)'],
    ['tcp.passive_opens_ps', snmp, 'PassiveOpens', 'Incoming connections accepted per second'],
    ['tcp.attempt_fails_ps', snmp, 'AttemptFails', 'Connection attempts per second that failed (includes normal refusals)'],
    ['tcp.estab_resets_ps', snmp, 'EstabResets', 'Established connections reset per second'],
    ['tcp.out_rsts_ps', snmp, 'OutRsts', 'Segments with RST sent per second (includes normal refusals)'],
    ['tcp.in_segs_ps', snmp, 'InSegs', 'Segments received per second'],
    ['tcp.out_segs_ps', snmp, 'OutSegs', 'Segments sent per second (retransmissions excluded)'],
    ['tcp.backlog_drops_ps', netstat, 'TCPBacklogDrop', 'Segments dropped per second because a socket backlog was full while the socket was busy'],
    ['tcp.reqq_full_drops_ps', netstat, 'TCPReqQFullDrop', 'SYNs dropped per second because the SYN queue was full and syncookies were off'],
    ['tcp.abort_on_memory_ps', netstat, 'TCPAbortOnMemory', 'Connections aborted per second because TCP memory (tcp_mem) or orphan limits were exceeded'],
    ['tcp.abort_on_timeout_ps', netstat, 'TCPAbortOnTimeout', 'Connections aborted per second after retransmission or keepalive timeouts ran out'],
  ]),
];
