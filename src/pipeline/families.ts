import { processActivity } from '../../collectors/cgroup/activity.js';
import type { CgroupCollector } from '../../collectors/cgroup/collector.js';
import type { CgroupReading } from '../../collectors/cgroup/sample.js';
import type { Collector } from '../../collectors/collector.js';
import { createCpuCollector } from '../../collectors/cpu.js';
import { createDiskCollector } from '../../collectors/disk.js';
import { createFilesystemCollector } from '../../collectors/filesystem.js';
import { createKernelCollector } from '../../collectors/kernel.js';
import { createKmsgCollector } from '../../collectors/kmsg.js';
import { createMemoryCollector } from '../../collectors/memory.js';
import { createNetworkCollector } from '../../collectors/network.js';
import { createPressureCollector } from '../../collectors/pressure.js';
import { createProcessCollector, type ProcessesSample } from '../../collectors/process/collector.js';
import { cgroupEntry, deriveCgroups } from '../derive/cgroups.js';
import {
  type CountersBuilder,
  cpuCounters,
  createMemoryCounters,
  createNetworkCounters,
  diskCounters,
  filesystemCounters,
  kernelCounters,
  pressureCounters,
} from '../derive/counters.js';
import { deriveCpu, deriveCpuPressure } from '../derive/cpu.js';
import { deriveDisk, deriveDiskBlockedTasks, deriveDiskPressure } from '../derive/disk.js';
import { createFilesystemDeriver } from '../derive/filesystem.js';
import { deriveKernel, deriveTaskForks } from '../derive/kernel.js';
import { deriveKmsg } from '../derive/kmsg.js';
import { deriveMemory, deriveMemoryPressure } from '../derive/memory.js';
import { deriveNetwork } from '../derive/network.js';
import { createProcessDeriver } from '../derive/processes.js';
import { type DeriveConfig, type DeriveContext, type Deriver, deriveAll } from '../derive/types.js';
import type { CgroupEntry } from '../model/cgroup.js';
import type { HostCounters } from '../model/counters.js';
import type { KernelEvent, ProcessEntry } from '../model/frame.js';

export type FamilyName =
  | 'cpu'
  | 'pressure'
  | 'memory'
  | 'kernel'
  | 'disk'
  | 'network'
  | 'filesystem'
  | 'kmsg'
  | 'cgroups'
  | 'processes';

/** What derivation hands to the frame besides metrics. */
export interface FamilyOutput {
  processes: ProcessEntry[];
  kernelEvents: KernelEvent[];
  counters: HostCounters;
  /** Every workload cgroup read on the tick; undefined without a cgroup family. */
  cgroups?: CgroupEntry[];
  /** Their readings, in the same order: the engine makes counter rows of the carried ones only. */
  cgroupReadings?: readonly CgroupReading[];
}

export interface Family {
  name: FamilyName;
  collector: Collector<unknown>;
  derive(prev: unknown, cur: unknown, ctx: DeriveContext, output: FamilyOutput): void;
  close?(): void;
  /**
   * Called before its collector reads, with the samples of the tick so far and those of the tick
   * before: a family that has it is read after all the others (it derives in its place).
   */
  beforeRead?(samples: ReadonlyMap<string, unknown>, previous: ReadonlyMap<string, unknown> | undefined): void;
  /** Its collector waits on the thread pool (statfs): the engine starts it first and awaits it last. */
  waitsOnThreadPool?: boolean;
}

interface FamilyExtras<S> {
  /** Fills the family's part of the frame's counters section. */
  counters?: CountersBuilder<S>;
  output?: (cur: S, output: FamilyOutput) => void;
  close?: () => void;
  beforeRead?: Family['beforeRead'];
  waitsOnThreadPool?: boolean;
}

function family<S>(name: FamilyName, collector: Collector<S>, derive: Deriver<S>, extra: FamilyExtras<S> = {}): Family {
  return {
    name,
    collector: collector as Collector<unknown>,
    derive(prev, cur, ctx, output) {
      extra.counters?.(cur as S, output.counters);
      derive(prev as S | undefined, cur as S, ctx);
      extra.output?.(cur as S, output);
    },
    close: extra.close,
    beforeRead: extra.beforeRead,
    waitsOnThreadPool: extra.waitsOnThreadPool,
  };
}

export interface FamilyOptions {
  statfsTimeoutMs: number;
  deriveConfig: DeriveConfig;
  /** Reads the workload cgroups; without one there is no cgroups family and frames carry no cgroups. */
  cgroupCollector?: CgroupCollector;
  /** The cgroups to read on every tick whatever the processes say: those the last frame carried. */
  watchedCgroups?: () => ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

/** Every collector with its deriver, in tick order (processes last: it is the costliest). */
export function createFamilies(opts: FamilyOptions): Family[] {
  const kmsg = createKmsgCollector();
  const processDeriver = createProcessDeriver();
  // Derived after cpu: cgroup CPU utilization without a quota is shared over the CPUs the cpu family
  // counts. Read after the processes: which cgroups had a process at work tells which to read.
  const collector = opts.cgroupCollector;
  const cgroups = collector
    ? [
        family('cgroups', collector, deriveCgroups, {
          output: (cur, output) => {
            output.cgroups = cur.cgroups.map(cgroupEntry);
            output.cgroupReadings = cur.cgroups;
          },
          beforeRead: (samples, previous) =>
            collector.hint?.({
              active: processActivity(
                samples.get('processes') as ProcessesSample | undefined,
                previous?.get('processes') as ProcessesSample | undefined,
              ),
              watched: opts.watchedCgroups?.() ?? NONE,
            }),
        }),
      ]
    : [];
  return [
    family('cpu', createCpuCollector(), deriveAll(deriveCpu, deriveDiskBlockedTasks, deriveTaskForks), {
      counters: cpuCounters,
    }),
    family(
      'pressure',
      createPressureCollector(),
      deriveAll(deriveCpuPressure, deriveMemoryPressure, deriveDiskPressure),
      { counters: pressureCounters },
    ),
    family('memory', createMemoryCollector(), deriveMemory, { counters: createMemoryCounters() }),
    family('kernel', createKernelCollector(), deriveKernel, { counters: kernelCounters }),
    family('disk', createDiskCollector(), deriveDisk, { counters: diskCounters }),
    family('network', createNetworkCollector(), deriveNetwork, { counters: createNetworkCounters() }),
    family(
      'filesystem',
      createFilesystemCollector({ statfsTimeoutMs: opts.statfsTimeoutMs }),
      createFilesystemDeriver(),
      { counters: filesystemCounters, waitsOnThreadPool: true },
    ),
    family('kmsg', kmsg, deriveKmsg, {
      close: () => kmsg.close(),
      output: (cur, output) => output.kernelEvents.push(...cur.events),
    }),
    ...cgroups,
    {
      name: 'processes',
      collector: createProcessCollector() as Collector<unknown>,
      derive(prev, cur, ctx, output) {
        output.processes = processDeriver.derive(prev as ProcessesSample | undefined, cur as ProcessesSample, ctx);
      },
    },
  ];
}
