import { performance } from 'node:perf_hooks';
import { type CgroupCollector, createCgroupCollector } from '../../collectors/cgroup/collector.js';
import { createCgroupDiscovery } from '../../collectors/cgroup/discover.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { DEFAULT_CGROUPS_TOP } from '../config/defaults.js';
import { cgroupCounters } from '../derive/counters.js';
import { type DeriveConfig, defaultDeriveConfig, MetricSink } from '../derive/types.js';
import type { CgroupEntry } from '../model/cgroup.js';
import type { UseEvaluatorLike } from '../model/evaluation.js';
import {
  type CollectorStat,
  type Finding,
  FRAME_SCHEMA,
  type Frame,
  type HostInfo,
  type MetricValues,
} from '../model/frame.js';
import type { SourceReport } from '../model/source-report.js';
import { VERSION } from '../version.js';
import { carriedCgroupIds, trimToCarried } from './carried-cgroups.js';
import { createFamilies, type Family, type FamilyOutput } from './families.js';
import { type HostFacts, readHostFacts } from './host-facts.js';
import type { Inventory } from './inventory.js';

export interface EngineOptions {
  /** Root of /proc and /sys: "/" live, a fixture tree in tests. */
  root?: string;
  /** Nominal interval in ms, announced in frames; rates use the measured interval. */
  intervalMs?: number;
  /** Evaluates the USE checklist each tick; without one the frame has no cells or findings. */
  evaluator?: UseEvaluatorLike;
  derive?: Partial<DeriveConfig>;
  /** statfs timeout per mount (a hung NFS mount must not stall a tick). */
  statfsTimeoutMs?: number;
  /** The reader of /proc and /sys; tests and the benchmark pass an instrumented one. */
  fs?: ProcFs;
  /** Static inventory (CPU model, OS) when known; refreshed outside the tick by the caller. */
  inventory?: () => Inventory | undefined;
  /**
   * Reads the workload cgroups (docs/cgroups.md): the host's by default; tests pass their own, and
   * `false` leaves cgroups out of the frames.
   */
  cgroupCollector?: CgroupCollector | false;
  /** Cgroups a frame carries by activity, besides those with an active finding (config `cgroups.top`). */
  cgroupsTop?: number;
}

/**
 * One tick of the pipeline: read every collector, derive metrics from this sample and the previous
 * one, evaluate the checklist, and assemble a Frame. Knows nothing of outputs or scheduling.
 */
export class Engine {
  readonly intervalMs: number;
  private readonly fs: ProcFs;
  private readonly families: Family[];
  /** Indices of the families read in turn: those that take the others' samples last. */
  private readonly readOrder: number[];
  /** Indices of the families whose collectors wait on the thread pool, read beside the others. */
  private readonly pooledOrder: number[];
  private readonly deriveConfig: DeriveConfig;
  private prev: { mono: number; samples: Map<string, unknown> } | undefined;
  private seq = 0;
  private skippedTicks = 0;
  /** Host facts that do not change while the agent runs, read once rather than per tick. */
  private readonly staticHost: HostFacts;
  /** The cgroups the last frame carried: read on the next tick whether or not a process ran in them. */
  private carriedCgroups: ReadonlySet<string> = new Set();

  constructor(private readonly opts: EngineOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.fs = opts.fs ?? new ProcFs(opts.root ?? '/');
    this.deriveConfig = { ...defaultDeriveConfig, ...opts.derive };
    this.families = createFamilies({
      statfsTimeoutMs: opts.statfsTimeoutMs ?? 1000,
      deriveConfig: this.deriveConfig,
      cgroupCollector:
        opts.cgroupCollector === false
          ? undefined
          : (opts.cgroupCollector ?? createCgroupCollector(createCgroupDiscovery())),
      watchedCgroups: () => this.carriedCgroups,
    });
    const takesSamples = (i: number) => Number(this.families[i].beforeRead !== undefined);
    const order = [...this.families.keys()].sort((a, b) => takesSamples(a) - takesSamples(b));
    this.readOrder = order.filter((i) => !this.families[i].waitsOnThreadPool);
    this.pooledOrder = order.filter((i) => this.families[i].waitsOnThreadPool);
    this.staticHost = readHostFacts(this.fs, Date.now());
  }

  get evaluator(): UseEvaluatorLike | undefined {
    return this.opts.evaluator;
  }

  /** Counts a tick the scheduler had to skip because the previous one overran; shown in self stats. */
  noteSkippedTick(): void {
    this.skippedTicks++;
  }

  async tick(): Promise<Frame> {
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    const ts = Date.now();
    const { samples, sources, collectorStats } = await this.collect();
    const dtSeconds = this.prev ? (wallStart - this.prev.mono) / 1000 : 0;
    const { out, output } = this.derive(samples, dtSeconds, sources);
    this.prev = { mono: wallStart, samples };

    const evaluation = this.opts.evaluator?.evaluate({
      metrics: out.values,
      processes: output.processes,
      cgroups: output.cgroups,
      kernelEvents: output.kernelEvents,
      ts,
    }) ?? {
      use: [],
      findings: [],
      events: [],
    };
    // The evaluator judged every cgroup read; the frame carries the busiest and those with findings.
    const cgroups = output.cgroups && this.carryCgroups(out.values, output, evaluation.findings);

    const cpuUsed = process.cpuUsage(cpuStart);
    return {
      schema: FRAME_SCHEMA,
      seq: ++this.seq,
      ts,
      intervalMs: Math.round(dtSeconds * 1000),
      host: this.hostInfo(out.get('cpu.count')),
      metrics: out.values,
      use: evaluation.use,
      findings: evaluation.findings,
      events: evaluation.events,
      processes: output.processes,
      kernelEvents: output.kernelEvents,
      sources,
      ...(cgroups && { cgroups }),
      self: {
        tickMs: round3(performance.now() - wallStart),
        tickCpuMs: round3((cpuUsed.user + cpuUsed.system) / 1000),
        collectors: collectorStats,
        skippedTicks: this.skippedTicks,
        rssBytes: process.memoryUsage.rss(),
      },
      counters: output.counters,
    };
  }

  /**
   * Reads every collector in turn, those that take the others' samples last; a collector that throws
   * is reported and the tick goes on. Sources and stats keep the families' order. A collector that
   * waits on the thread pool is started first and awaited last: its answers come in while the
   * others read, so the loop finds them ready rather than sleeping and waking for them.
   */
  private async collect(): Promise<{
    samples: Map<string, unknown>;
    sources: SourceReport[];
    collectorStats: CollectorStat[];
  }> {
    const samples = new Map<string, unknown>();
    const read: { reports: SourceReport[]; stat: CollectorStat }[] = [];
    const pooled = this.pooledOrder.map((i) => ({ i, reading: this.collectOne(this.families[i], samples) }));
    const othersStart = performance.now();
    for (const i of this.readOrder) read[i] = await this.collectOne(this.families[i], samples);
    // A pooled collector's time is what it added to the tick: the others' reads it overlapped are theirs.
    const othersMs = performance.now() - othersStart;
    for (const { i, reading } of pooled) {
      const r = await reading;
      r.stat.durationMs = round3(Math.max(0, r.stat.durationMs - othersMs));
      read[i] = r;
    }
    const sources: SourceReport[] = [];
    for (const r of read) for (const report of r.reports) if (report.status !== 'ok') sources.push(report);
    return { samples, sources, collectorStats: read.map((r) => r.stat) };
  }

  private async collectOne(
    family: Family,
    samples: Map<string, unknown>,
  ): Promise<{ reports: SourceReport[]; stat: CollectorStat }> {
    const log = new SourceLog(this.fs);
    const started = performance.now();
    let sample: unknown;
    try {
      family.beforeRead?.(samples, this.prev?.samples);
      sample = await family.collector.read(log);
    } catch (err) {
      // A collector must not throw; if one does, the tick goes on without it and says why.
      log.report(family.name, 'failed', `collector error: ${(err as Error)?.message ?? err}`);
    }
    if (sample !== undefined) samples.set(family.name, sample);
    const ok = sample !== undefined && !log.reports.some((r) => r.status === 'failed');
    return { reports: log.reports, stat: { name: family.name, durationMs: round3(performance.now() - started), ok } };
  }

  /** Metrics, processes, kernel events and counters from this tick's samples and the previous tick's. */
  private derive(
    samples: Map<string, unknown>,
    dtSeconds: number,
    sources: SourceReport[],
  ): { out: MetricSink; output: FamilyOutput } {
    const out = new MetricSink();
    const ctx = { dtSeconds, out, config: this.deriveConfig };
    const output: FamilyOutput = {
      processes: [],
      kernelEvents: [],
      counters: { identity: this.staticHost.identity },
    };
    for (const family of this.families) {
      const cur = samples.get(family.name);
      if (cur === undefined) continue;
      const prev = this.prev?.samples.get(family.name);
      try {
        family.derive(prev, cur, ctx, output);
      } catch (err) {
        sources.push({
          source: family.name,
          status: 'failed',
          reason: `derive error: ${(err as Error)?.message ?? err}`,
        });
      }
    }
    out.roundAll();
    return { out, output };
  }

  /**
   * Trims the tick's cgroup metrics to the carried cgroups and makes their counter rows (only theirs:
   * the others' would be dropped); returns their entries.
   */
  private carryCgroups(metrics: MetricValues, output: FamilyOutput, findings: Finding[]): CgroupEntry[] {
    const entries = output.cgroups ?? [];
    const carried = carriedCgroupIds(metrics, entries, findings, this.opts.cgroupsTop ?? DEFAULT_CGROUPS_TOP);
    this.carriedCgroups = carried;
    const readings = output.cgroupReadings?.filter((r) => carried.has(r.identity.id)) ?? [];
    cgroupCounters({ cgroups: readings }, output.counters);
    const trimmed = trimToCarried(metrics, entries, output.counters.cgroups, carried);
    if (trimmed.counters !== undefined) output.counters.cgroups = trimmed.counters;
    return trimmed.entries;
  }

  close(): void {
    this.fs.close();
    for (const family of this.families) family.close?.();
  }

  private hostInfo(cpus: number | undefined): HostInfo {
    const inv = this.opts.inventory?.();
    const { hostname, kernel, bootMs } = this.staticHost;
    const info: HostInfo = { hostname, kernel, cpus: cpus ?? 0, agentVersion: VERSION };
    if (inv?.os) info.os = inv.os;
    if (inv?.cpuModel) info.cpuModel = inv.cpuModel;
    if (bootMs !== undefined) info.uptimeSeconds = Math.round((Date.now() - bootMs) / 1000);
    return info;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
