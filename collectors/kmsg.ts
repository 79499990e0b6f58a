import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { uptime } from 'node:os';
import { KERNEL_EVENT_KINDS, type KernelEvent, type KernelEventKind, type Resource } from '../src/model/frame.js';
import type { Collector } from './collector.js';
import { parseProcStat } from './cpu.js';
import { clip, parseCounter } from './parse.js';
import { statusOfError } from './procfs.js';
import { ParseError } from './types.js';

/** One /dev/kmsg record: "prio,seq,ts_us,flags;text" followed by optional " KEY=value" lines. */
export interface KmsgRecord {
  /** Syslog level 0 (emerg) … 7 (debug). */
  level: number;
  facility: number;
  seq: number;
  /** Microseconds since boot (monotonic clock). */
  tsUs: number;
  /** The message, still with the kernel's \xNN escapes. */
  text: string;
}

export function parseKmsgRecord(raw: string): KmsgRecord {
  const semi = raw.indexOf(';');
  if (semi < 0) throw new ParseError(`record without ";": "${clip(raw)}"`);
  const header = raw.slice(0, semi).split(',');
  if (header.length < 4) throw new ParseError(`record header: expected prio,seq,ts,flags: "${clip(raw)}"`);
  const prio = Number(parseCounter(header[0], 'kmsg prio'));
  let end = raw.indexOf('\n', semi);
  if (end < 0) end = raw.length;
  return {
    level: prio & 7,
    facility: prio >> 3,
    seq: Number(parseCounter(header[1], 'kmsg seq')),
    tsUs: Number(parseCounter(header[2], 'kmsg timestamp')),
    text: raw.slice(semi + 1, end),
  };
}

interface Pattern {
  resource: Resource;
  kind: KernelEventKind;
  matches: (text: string) => boolean;
}

const XFS_TROUBLE = /error|corruption/i;
const anyOf =
  (...needles: string[]) =>
  (text: string) =>
    needles.some((n) => text.includes(n));

/**
 * Filesystem patterns come before the generic disk ones: "XFS (vda1): metadata I/O error" is the
 * filesystem's report, and the device's own "I/O error, dev vda" line is classified separately.
 */
const PATTERNS: readonly Pattern[] = [
  { resource: 'memory', kind: 'oom', matches: anyOf('Out of memory', 'Killed process', 'oom-kill') },
  { resource: 'memory', kind: 'alloc_failure', matches: anyOf('page allocation failure') },
  {
    resource: 'filesystem',
    kind: 'fs_error',
    matches: (t) =>
      t.includes('EXT4-fs error') ||
      t.includes('Remounting filesystem read-only') ||
      (t.includes('XFS') && XFS_TROUBLE.test(t)),
  },
  {
    resource: 'disk',
    kind: 'io_error',
    matches: anyOf('I/O error', 'blk_update_request', 'critical medium error'),
  },
  { resource: 'cpu', kind: 'mce', matches: anyOf('Machine check', 'mce:', 'Hardware Error') },
  { resource: 'fd', kind: 'file_max', matches: anyOf('VFS: file-max limit') },
  { resource: 'tasks', kind: 'fork_rejected', matches: anyOf('fork rejected by pids controller') },
  {
    resource: 'conntrack',
    kind: 'conntrack_full',
    matches: (t) => t.includes('nf_conntrack') && t.includes('table full'),
  },
  { resource: 'tcp', kind: 'syn_flood', matches: anyOf('Possible SYN flooding') },
];

/** Which resource a kernel message speaks to, for the known error patterns; undefined for the rest. */
export function classifyKernelMessage(text: string): { resource: Resource; kind: KernelEventKind } | undefined {
  for (const p of PATTERNS) if (p.matches(text)) return { resource: p.resource, kind: p.kind };
  return undefined;
}

const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])?/g;
const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/g;
const MAX_TEXT = 400;

/**
 * Makes a message safe for a terminal and a log line: terminal escape sequences and control
 * characters go; the kernel's own "\xNN" escapes are plain text and stay.
 */
export function sanitizeKernelText(text: string): string {
  const clean = text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_CHARS, '');
  return clean.length > MAX_TEXT ? `${clean.slice(0, MAX_TEXT)}…` : clean;
}

/**
 * Splits text holding one record per line (a regular file standing in for /dev/kmsg) into records;
 * lines starting with a space are the previous record's KEY=value continuation. An unfinished last
 * line is returned as `rest`, to be completed by the next read.
 */
export function splitKmsgText(text: string): { records: string[]; rest: string } {
  const records: string[] = [];
  const lastNewline = text.lastIndexOf('\n');
  const complete = text.slice(0, lastNewline + 1);
  for (const line of complete.split('\n')) {
    if (line === '') continue;
    if (line.charCodeAt(0) === 32 && records.length > 0) records[records.length - 1] += `\n${line}`;
    else records.push(line);
  }
  return { records, rest: text.slice(lastNewline + 1) };
}

export type KernelEventCounts = Record<KernelEventKind, number>;

export interface KmsgSample {
  /** Matching records first seen on this tick (at most MAX_EVENTS_PER_TICK; counts stay exact). */
  events: KernelEvent[];
  /** Matching records per kind on this tick. */
  counts: KernelEventCounts;
}

/** An I/O error storm logs thousands of lines a second; the frame carries a few, the counts carry all. */
export const MAX_EVENTS_PER_TICK = 20;

function zeroCounts(): KernelEventCounts {
  return Object.fromEntries(KERNEL_EVENT_KINDS.map((k) => [k, 0])) as KernelEventCounts;
}

/** Turns raw records into events, skipping any already seen (by sequence number). */
export class KmsgScanner {
  lastSeq = -1;
  readonly malformed: string[] = [];

  /** Remembers where the log is without reporting anything: the history before the agent started. */
  skip(raws: readonly string[]): void {
    for (const raw of raws) {
      try {
        this.lastSeq = Math.max(this.lastSeq, parseKmsgRecord(raw).seq);
      } catch {
        // a malformed old record is not news either
      }
    }
  }

  scan(raws: readonly string[], bootEpochMs: number): KmsgSample {
    const sample: KmsgSample = { events: [], counts: zeroCounts() };
    for (const raw of raws) {
      let record: KmsgRecord;
      try {
        record = parseKmsgRecord(raw);
      } catch (err) {
        this.malformed.push((err as Error).message);
        continue;
      }
      if (record.seq <= this.lastSeq) continue;
      this.lastSeq = record.seq;
      const match = classifyKernelMessage(record.text);
      if (match === undefined) continue;
      sample.counts[match.kind]++;
      if (sample.events.length < MAX_EVENTS_PER_TICK) {
        sample.events.push({
          ts: Math.round(bootEpochMs + record.tsUs / 1000),
          resource: match.resource,
          kind: match.kind,
          text: sanitizeKernelText(record.text),
        });
      }
    }
    return sample;
  }
}

const RECORD_BUFFER = 8192; // a record is at most ~1 KiB of text plus its KEY=value lines

/**
 * Non-blocking reader of /dev/kmsg, where each read() returns exactly one record, EAGAIN means no
 * more and EPIPE means records were overwritten before being read (the position has moved on). A
 * regular file (a test fixture) is read as one record per line instead.
 */
export class KmsgReader {
  private readonly fd: number;
  private readonly device: boolean;
  private readonly buffer = Buffer.allocUnsafe(RECORD_BUFFER);
  private rest = '';

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.device = fstatSync(this.fd).isCharacterDevice();
  }

  /** Every record available now; throws only on errors other than EAGAIN/EPIPE. */
  readAvailable(): string[] {
    return this.device ? this.readDevice() : this.readFile();
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed: nothing to release
    }
  }

  private readDevice(): string[] {
    const records: string[] = [];
    for (;;) {
      let n: number;
      try {
        n = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue;
        throw err;
      }
      if (n === 0) break;
      records.push(this.buffer.toString('latin1', 0, n));
    }
    return records;
  }

  private readFile(): string[] {
    let text = this.rest;
    for (;;) {
      const n = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
      if (n === 0) break;
      text += this.buffer.toString('latin1', 0, n);
    }
    const { records, rest } = splitKmsgText(text);
    this.rest = rest;
    return records;
  }
}

function bootEpochMs(statText: string | undefined): number {
  try {
    const btime = statText === undefined ? undefined : parseProcStat(statText).btime;
    if (btime !== undefined) return btime * 1000;
  } catch {
    // fall through to the uptime estimate
  }
  return Date.now() - uptime() * 1000;
}

const KMSG = 'dev/kmsg';

/**
 * Kernel log records matching known error patterns. History from before the agent started is
 * skipped; the descriptor stays open across ticks. Denied (dmesg_restrict without CAP_SYSLOG) and
 * absent (containers) are reported once: neither changes while the agent runs.
 */
export function createKmsgCollector(): Collector<KmsgSample> & { close(): void } {
  let reader: KmsgReader | undefined;
  let unavailable = false;
  let bootMs = 0;
  const scanner = new KmsgScanner();
  let started = false;
  return {
    name: 'kmsg',
    read(log) {
      if (unavailable) return undefined;
      try {
        if (reader === undefined) {
          reader = new KmsgReader(log.fs.path(KMSG));
          bootMs = bootEpochMs(log.once('proc/stat', false));
        }
        const raws = reader.readAvailable();
        if (!started) {
          scanner.skip(raws);
          started = true;
          log.report(KMSG, 'ok');
          return { events: [], counts: zeroCounts() };
        }
        const sample = scanner.scan(raws, bootMs);
        if (scanner.malformed.length > 0) {
          log.report(KMSG, 'failed', `${scanner.malformed.length} malformed record(s): ${scanner.malformed[0]}`);
          scanner.malformed.length = 0;
        } else log.report(KMSG, 'ok');
        return sample;
      } catch (err) {
        const { status, reason } = statusOfError(err);
        log.report(KMSG, status, reason);
        reader?.close();
        reader = undefined;
        // Reopening after a failure rescans from the oldest record; the sequence numbers already seen are skipped.
        if (status !== 'failed') unavailable = true;
        return undefined;
      }
    },
    close() {
      reader?.close();
      reader = undefined;
    },
  };
}
