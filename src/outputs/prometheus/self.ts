import { getHeapStatistics } from 'node:v8';
import type { SelfStats } from '../../model/frame.js';
import type { FamilySpec } from './family.js';

const START_TIME_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

/** The agent's open file descriptors, counted outside the output; undefined leaves the series out. */
export type OpenFds = () => number | undefined;

/**
 * The agent's own process_* metrics, named as every Prometheus client names them. Written here
 * rather than taken from a client library's defaults: prom-client's add nodejs_active_*_total
 * gauges, which fail `promtool check metrics`.
 */
export function processFamilies(openFds: OpenFds): FamilySpec[] {
  // process.cpuUsage() sums the time of every thread in the kernel (tens of µs with V8's and libuv's
  // threads): the first of the three CPU families, rendered first and in the same scrape, reads it
  // for all three, whose figures then also agree with each other.
  let cpu = process.cpuUsage();
  return [
    {
      name: 'process_cpu_user_seconds_total',
      help: 'Total user CPU time spent in seconds.',
      type: 'counter',
      frameless: true,
      read(_f, emit) {
        cpu = process.cpuUsage();
        emit(cpu.user / 1e6);
      },
    },
    {
      name: 'process_cpu_system_seconds_total',
      help: 'Total system CPU time spent in seconds.',
      type: 'counter',
      frameless: true,
      read: (_f, emit) => emit(cpu.system / 1e6),
    },
    {
      name: 'process_cpu_seconds_total',
      help: 'Total user and system CPU time spent in seconds.',
      type: 'counter',
      frameless: true,
      read: (_f, emit) => emit((cpu.user + cpu.system) / 1e6),
    },
    {
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
      type: 'gauge',
      frameless: true,
      // The frame's figure, taken as its tick ended, is the agent's RSS as of that frame (the
      // body's moment); before the first frame, the stub carries none and the RSS is read here.
      read: (f, emit) => emit((f.self as SelfStats | undefined)?.rssBytes ?? process.memoryUsage.rss()),
    },
    {
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds.',
      type: 'gauge',
      frameless: true,
      read: (_f, emit) => emit(START_TIME_SECONDS),
    },
    {
      name: 'process_open_fds',
      help: 'Number of open file descriptors.',
      type: 'gauge',
      frameless: true,
      read: (_f, emit) => emit(openFds()),
    },
    {
      name: 'nodejs_heap_size_used_bytes',
      help: 'Process heap size used from Node.js in bytes.',
      type: 'gauge',
      frameless: true,
      // process.memoryUsage().heapUsed is this same figure, but it also reads /proc/self/stat for the RSS.
      read: (_f, emit) => emit(getHeapStatistics().used_heap_size),
    },
  ];
}
