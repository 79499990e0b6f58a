import type { Collector } from '../../collectors/collector.js';
import { type CpuSample, createCpuCollector } from '../../collectors/cpu.js';
import { createDiskCollector, type DiskSample } from '../../collectors/disk.js';
import { createFilesystemCollector, type FilesystemSample } from '../../collectors/filesystem.js';
import { createKernelCollector, type KernelSample } from '../../collectors/kernel.js';
import { createKmsgCollector, type KmsgSample } from '../../collectors/kmsg.js';
import { createMemoryCollector, type MemorySample } from '../../collectors/memory.js';
import { createNetworkCollector, type NetworkSample } from '../../collectors/network.js';
import { createPressureCollector, type PressureSample } from '../../collectors/pressure.js';
import { createProcessCollector, type ProcessesSample } from '../../collectors/process/collector.js';
import { deriveCpu } from '../derive/cpu.js';
import { deriveDisk } from '../derive/disk.js';
import { createFilesystemDeriver } from '../derive/filesystem.js';
import { deriveKernel } from '../derive/kernel.js';
import { deriveKmsg } from '../derive/kmsg.js';
import { deriveMemory } from '../derive/memory.js';
import { deriveNetwork } from '../derive/network.js';
import { derivePressure } from '../derive/pressure.js';
import { createProcessDeriver } from '../derive/processes.js';
import type { DeriveConfig, DeriveContext, Deriver } from '../derive/types.js';
import type { KernelEvent, ProcessEntry } from '../model/frame.js';

/** The raw samples of one tick, by family: what outputs that export cumulative counters read. */
export interface RawSamples {
  cpu?: CpuSample;
  memory?: MemorySample;
  pressure?: PressureSample;
  kernel?: KernelSample;
  kmsg?: KmsgSample;
  disk?: DiskSample;
  network?: NetworkSample;
  filesystem?: FilesystemSample;
  processes?: ProcessesSample;
}

/** What derivation hands to the frame besides metrics. */
export interface FamilyOutput {
  processes: ProcessEntry[];
  kernelEvents: KernelEvent[];
}

export interface Family {
  name: keyof RawSamples;
  collector: Collector<unknown>;
  derive(prev: unknown, cur: unknown, ctx: DeriveContext, output: FamilyOutput): void;
  close?(): void;
}

function family<S>(
  name: keyof RawSamples,
  collector: Collector<S>,
  derive: Deriver<S>,
  extra: Partial<Pick<Family, 'close'>> & { output?: (cur: S, output: FamilyOutput) => void } = {},
): Family {
  return {
    name,
    collector: collector as Collector<unknown>,
    derive(prev, cur, ctx, output) {
      derive(prev as S | undefined, cur as S, ctx);
      extra.output?.(cur as S, output);
    },
    close: extra.close,
  };
}

export interface FamilyOptions {
  statfsTimeoutMs: number;
  deriveConfig: DeriveConfig;
}

/** Every collector with its deriver, in tick order (processes last: it is the costliest). */
export function createFamilies(opts: FamilyOptions): Family[] {
  const kmsg = createKmsgCollector();
  const processDeriver = createProcessDeriver();
  return [
    family('cpu', createCpuCollector(), deriveCpu),
    family('pressure', createPressureCollector(), derivePressure),
    family('memory', createMemoryCollector(), deriveMemory),
    family('kernel', createKernelCollector(), deriveKernel),
    family('disk', createDiskCollector(), deriveDisk),
    family('network', createNetworkCollector(), deriveNetwork),
    family(
      'filesystem',
      createFilesystemCollector({ statfsTimeoutMs: opts.statfsTimeoutMs }),
      createFilesystemDeriver(),
    ),
    family('kmsg', kmsg, deriveKmsg, {
      close: () => kmsg.close(),
      output: (cur, output) => output.kernelEvents.push(...cur.events),
    }),
    {
      name: 'processes',
      collector: createProcessCollector() as Collector<unknown>,
      derive(prev, cur, ctx, output) {
        output.processes = processDeriver.derive(prev as ProcessesSample | undefined, cur as ProcessesSample, ctx);
      },
    },
  ];
}
