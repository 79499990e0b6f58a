import type { Collector } from './collector.js';
import { FactsCache, type FactsCacheOptions } from './facts-cache.js';
import { fields, lines, NOT_A_COUNTER, parseHex, parseIntStrict, Scanner } from './parse.js';
import type { SourceLog } from './procfs.js';
import { type Counter, ParseError } from './types.js';

/** The 16 counters of one /proc/net/dev row, in file order (8 receive, 8 transmit). */
export interface NetDevCounters {
  rxBytes: Counter;
  rxPackets: Counter;
  rxErrs: Counter;
  rxDrop: Counter;
  rxFifo: Counter;
  rxFrame: Counter;
  rxCompressed: Counter;
  rxMulticast: Counter;
  txBytes: Counter;
  txPackets: Counter;
  txErrs: Counter;
  txDrop: Counter;
  txFifo: Counter;
  txColls: Counter;
  txCarrier: Counter;
  txCompressed: Counter;
}

const NET_DEV_KEYS: readonly (keyof NetDevCounters)[] = [
  'rxBytes',
  'rxPackets',
  'rxErrs',
  'rxDrop',
  'rxFifo',
  'rxFrame',
  'rxCompressed',
  'rxMulticast',
  'txBytes',
  'txPackets',
  'txErrs',
  'txDrop',
  'txFifo',
  'txColls',
  'txCarrier',
  'txCompressed',
];

const NET_DEV_HEADER_LINES = 2;

/**
 * Parses /proc/net/dev. Name and counters are split at the LAST ':' as procfs does, because an
 * alias name ("eth0:1") contains one and the kernel may print no space after it.
 */
export function parseNetDev(text: string): Map<string, NetDevCounters> {
  const out = new Map<string, NetDevCounters>();
  const s = new Scanner(text);
  while (s.nextLine()) {
    if (s.lineNo <= NET_DEV_HEADER_LINES) continue;
    const colon = text.lastIndexOf(':', s.lineEnd - 1);
    if (colon < s.lineStart || colon >= s.lineEnd)
      throw new ParseError(`line ${s.lineNo}: no ':' after the interface name`);
    const name = text.slice(s.lineStart, colon).trim();
    if (name.length === 0) throw new ParseError(`line ${s.lineNo}: empty interface name`);
    s.setField(colon + 1, colon + 1);
    const count = s.countFields();
    if (count !== NET_DEV_KEYS.length) {
      throw new ParseError(`line ${s.lineNo}: expected ${NET_DEV_KEYS.length} counters, got ${count}`);
    }
    const c = {} as NetDevCounters;
    for (let k = 0; k < NET_DEV_KEYS.length; k++) {
      const v = s.nextCounter();
      if (v === NOT_A_COUNTER) throw s.notCounter(`line ${s.lineNo} ${NET_DEV_KEYS[k]}`);
      c[NET_DEV_KEYS[k]] = v;
    }
    out.set(name, c);
  }
  return out;
}

/** Protocol prefix ("Tcp", "TcpExt", "Udp"…) → column name → value. */
export type ProtoCounters = Map<string, Map<string, Counter>>;

/** The column names of a snmp/netstat header line; they only change with the kernel, so they are kept. */
const headerFields = new Map<string, string[]>();
const MAX_HEADERS = 64;

function namesOf(header: string): string[] {
  let names = headerFields.get(header);
  if (names === undefined) {
    names = fields(header);
    if (headerFields.size >= MAX_HEADERS) headerFields.clear();
    headerFields.set(header, names);
  }
  return names;
}

/**
 * Parses /proc/net/snmp and /proc/net/netstat: pairs of lines with the same prefix, names then values.
 * Mapped by name because columns are added across kernels. Values are counters except a few signed
 * gauges (Tcp MaxConn is -1).
 */
export function parseProtoCounters(text: string): ProtoCounters {
  const out: ProtoCounters = new Map();
  const s = new Scanner(text);
  while (s.nextLine()) {
    const headerLine = s.lineNo;
    const header = namesOf(text.slice(s.lineStart, s.lineEnd));
    if (!s.nextLine()) throw new ParseError(`line ${headerLine}: header line without a value line`);
    const prefix = header[0];
    if (prefix === undefined || !prefix.endsWith(':'))
      throw new ParseError(`line ${headerLine}: expected "Prefix: names…"`);
    const count = s.countFields();
    if (!s.nextField() || !s.fieldIs(prefix)) {
      throw new ParseError(`line ${s.lineNo}: expected values for "${prefix}", got "${s.field()}"`);
    }
    if (count !== header.length) {
      throw new ParseError(`line ${s.lineNo}: ${header.length - 1} names but ${count - 1} values`);
    }
    const map = new Map<string, Counter>();
    for (let col = 1; col < header.length; col++) {
      let value = s.nextCounter();
      if (value === NOT_A_COUNTER) {
        const what = `line ${s.lineNo} ${header[col]}`;
        if (text.charCodeAt(s.start) !== 45) throw s.notCounter(what);
        value = parseIntStrict(s.field(), what);
      }
      map.set(header[col], value);
    }
    out.set(prefix.slice(0, -1), map);
  }
  return out;
}

export interface SoftnetTotals {
  /** Packets processed, summed over CPUs (column 1). */
  processed: number;
  /** Packets dropped because netdev_max_backlog was full (column 2). */
  dropped: number;
  /** Times net_rx_action ran out of budget or time with work left (column 3, time_squeeze). */
  timeSqueezed: number;
}

/** Parses /proc/net/softnet_stat (one row of hex columns per online CPU) into sums over CPUs. */
export function parseSoftnetStat(text: string): SoftnetTotals {
  const out: SoftnetTotals = { processed: 0, dropped: 0, timeSqueezed: 0 };
  const rows = lines(text);
  for (let i = 0; i < rows.length; i++) {
    const cols = fields(rows[i]);
    const where = `line ${i + 1}`;
    if (cols.length < 3) throw new ParseError(`${where}: expected at least 3 columns, got ${cols.length}`);
    out.processed += parseHex(cols[0], `${where} column 1`, false);
    out.dropped += parseHex(cols[1], `${where} column 2`, false);
    out.timeSqueezed += parseHex(cols[2], `${where} column 3`, false);
  }
  return out;
}

export type Duplex = 'full' | 'half' | 'unknown';

/** What /sys/class/net/<if> says about a link. */
export interface LinkFacts {
  /** Link speed in Mb/s; undefined when the driver does not know (-1, 0, EINVAL on lo/ifb/down links). */
  speedMbps?: number;
  duplex: Duplex;
  operstate?: string;
  mtu?: number;
  /** /sys/class/net/<if>/device exists: a NIC rather than a bridge, bond, veth, VLAN or lo. */
  physical: boolean;
}

export interface NetInterface {
  counters: NetDevCounters;
  link: LinkFacts;
}

export interface NetworkSample {
  interfaces: Map<string, NetInterface>;
  /** /proc/net/snmp (Ip, Icmp, Tcp, Udp…); undefined when unreadable. */
  snmp?: ProtoCounters;
  /** /proc/net/netstat (TcpExt, IpExt…). */
  netstat?: ProtoCounters;
  softnet?: SoftnetTotals;
}

/** Parses /sys/class/net/<if>/speed; -1 and 0 (virtual NICs) mean unknown. */
export function parseSpeed(text: string): number | undefined {
  const mbps = parseIntStrict(text.trim(), 'speed');
  return mbps > 0 ? mbps : undefined;
}

export function createNetworkCollector(opts: FactsCacheOptions = {}): Collector<NetworkSample> {
  const cache = new FactsCache(readLinkFacts, opts);

  return {
    name: 'network',
    read(log) {
      const devs = log.keptParsed('proc/net/dev', parseNetDev);
      if (devs === undefined) return undefined;
      const facts = cache.of(log, [...devs.keys()]);
      const interfaces = new Map<string, NetInterface>();
      for (const [name, counters] of devs) interfaces.set(name, { counters, link: facts.get(name)! });
      const sample: NetworkSample = { interfaces };
      const snmp = log.keptParsed('proc/net/snmp', parseProtoCounters);
      if (snmp !== undefined) sample.snmp = snmp;
      const netstat = log.keptParsed('proc/net/netstat', parseProtoCounters);
      if (netstat !== undefined) sample.netstat = netstat;
      const softnet = log.keptParsed('proc/net/softnet_stat', parseSoftnetStat);
      if (softnet !== undefined) sample.softnet = softnet;
      return sample;
    },
  };
}

/**
 * Reads the sysfs attributes of one interface. An absent or EINVAL attribute is the normal way the
 * kernel says "unknown" (lo, ifb, a down link), so only denied or failed reads are reported.
 */
function readLinkFacts(log: SourceLog, name: string): LinkFacts {
  // A kernel interface name never holds '/' nor is a dot entry; anything else must not steer the path.
  if (name.includes('/') || name === '.' || name === '..') return { duplex: 'unknown', physical: false };
  const dir = `sys/class/net/${name}`;
  const attr = (file: string): string | undefined => {
    const rel = `${dir}/${file}`;
    const r = log.fs.readOnce(rel);
    if (r.ok) return r.text.trim();
    if (r.status !== 'absent') log.report(rel, r.status, r.reason);
    return undefined;
  };
  const facts: LinkFacts = { duplex: 'unknown', physical: log.fs.listDir(`${dir}/device`).ok };
  const speed = attr('speed');
  if (speed !== undefined) {
    const mbps = log.parse(`${dir}/speed`, speed, parseSpeed);
    if (mbps !== undefined) facts.speedMbps = mbps;
  }
  const duplex = attr('duplex');
  if (duplex === 'full' || duplex === 'half') facts.duplex = duplex;
  const operstate = attr('operstate');
  if (operstate !== undefined) facts.operstate = operstate;
  const mtu = attr('mtu');
  if (mtu !== undefined) {
    const v = log.parse(`${dir}/mtu`, mtu, (s) => parseIntStrict(s, 'mtu'));
    if (v !== undefined) facts.mtu = v;
  }
  return facts;
}
