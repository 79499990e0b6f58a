/**
 * Memory files of a cgroup: v2 memory.stat and memory.events (memory.current, .max and .high are
 * single values, see parse.ts); v1 memory.stat, memory.limit_in_bytes and memory.oom_control.
 */
import { toNumber } from '../parse.js';
import type { Counter } from '../types.js';
import { keyedCounters, needKey, parseCgroupCounter } from './parse.js';

const INACTIVE_FILE_V2 = ['inactive_file'];
const INACTIVE_FILE_V1 = ['total_inactive_file'];

/**
 * v2 memory.stat: inactive_file bytes, the page cache the kernel reclaims first, which the working
 * set leaves out (current − inactive_file, as cAdvisor and the kubelet define it).
 */
export function parseMemoryStat(text: string): number {
  return toNumber(needKey(keyedCounters(text, INACTIVE_FILE_V2, 'memory.stat'), INACTIVE_FILE_V2, 0, 'memory.stat'));
}

/** v1 memory.stat: total_inactive_file, the hierarchical figure (the cgroup and its children, as v2 counts). */
export function parseMemoryStatV1(text: string): number {
  return toNumber(needKey(keyedCounters(text, INACTIVE_FILE_V1, 'memory.stat'), INACTIVE_FILE_V1, 0, 'memory.stat'));
}

/** v2 memory.events, cumulative counts. */
export interface MemoryEvents {
  /** Times usage went over memory.high and the cgroup's tasks were throttled into reclaim. */
  high: Counter;
  /** Times usage reached memory.max and an allocation had to reclaim or fail. */
  max: Counter;
  /** Times the OOM killer was invoked for the cgroup. */
  oom: Counter;
  /** Tasks killed by it (absent before Linux 4.13). */
  oomKill?: Counter;
}

const MEMORY_EVENTS = ['high', 'max', 'oom', 'oom_kill'];

export function parseMemoryEvents(text: string): MemoryEvents {
  const v = keyedCounters(text, MEMORY_EVENTS, 'memory.events');
  const events: MemoryEvents = {
    high: needKey(v, MEMORY_EVENTS, 0, 'memory.events'),
    max: needKey(v, MEMORY_EVENTS, 1, 'memory.events'),
    oom: needKey(v, MEMORY_EVENTS, 2, 'memory.events'),
  };
  if (v[3] !== undefined) events.oomKill = v[3];
  return events;
}

const OOM_CONTROL = ['under_oom', 'oom_kill'];

/**
 * v1 memory.oom_control: the oom_kill count (Linux 4.13 on), undefined before; the under_oom line
 * every kernel prints tells the file apart from one that merely lacks it.
 */
export function parseOomControl(text: string): Counter | undefined {
  const v = keyedCounters(text, OOM_CONTROL, 'memory.oom_control');
  needKey(v, OOM_CONTROL, 0, 'memory.oom_control');
  return v[1];
}

/**
 * Where a v1 memory.limit_in_bytes means no limit. The kernel prints its page-counter maximum,
 * LONG_MAX rounded down to a page (9223372036854771712 with 4 KiB pages), which no machine has;
 * anything from 2^62 bytes (4 EiB) on is taken as that, whatever the page size.
 */
const V1_UNLIMITED = 2n ** 62n;

/** v1 memory.limit_in_bytes: bytes, or undefined when unlimited. */
export function parseMemoryLimitV1(text: string): number | undefined {
  const v = parseCgroupCounter(text, 'memory.limit_in_bytes');
  return typeof v === 'bigint' && v >= V1_UNLIMITED ? undefined : toNumber(v);
}
