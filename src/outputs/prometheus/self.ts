import { getHeapStatistics } from 'node:v8';
import { ProcFs } from '../../../collectors/procfs.js';
import type { FamilySpec } from './family.js';

// The agent's own descriptors: it keeps three per process open (collectors/processes.ts), so listing
// /proc/self/fd on each scrape would cost more than the rest of these metrics together.
const ownProc = new ProcFs('/');

const START_TIME_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

/**
 * The agent's own process_* metrics, named as every Prometheus client names them. prom-client's
 * collectDefaultMetrics is not used: its nodejs_active_*_total gauges fail `promtool check metrics`.
 */
export const processFamilies: readonly FamilySpec[] = [
  {
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    type: 'counter',
    frameless: true,
    read: (_f, emit) => emit(undefined, process.cpuUsage().user / 1e6),
  },
  {
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    type: 'counter',
    frameless: true,
    read: (_f, emit) => emit(undefined, process.cpuUsage().system / 1e6),
  },
  {
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    type: 'counter',
    frameless: true,
    read(_f, emit) {
      const u = process.cpuUsage();
      emit(undefined, (u.user + u.system) / 1e6);
    },
  },
  {
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    type: 'gauge',
    frameless: true,
    read: (_f, emit) => emit(undefined, process.memoryUsage.rss()),
  },
  {
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    type: 'gauge',
    frameless: true,
    read: (_f, emit) => emit(undefined, START_TIME_SECONDS),
  },
  {
    name: 'process_open_fds',
    help: 'Number of open file descriptors.',
    type: 'gauge',
    frameless: true,
    read(_f, emit) {
      // no /proc (not Linux): the series is simply absent
      const fds = ownProc.countFds('proc/self/fd');
      if (fds.ok) emit(undefined, fds.count);
    },
  },
  {
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    type: 'gauge',
    frameless: true,
    // process.memoryUsage().heapUsed is this same figure, but it also reads /proc/self/stat for the RSS.
    read: (_f, emit) => emit(undefined, getHeapStatistics().used_heap_size),
  },
];
