import { GCProfiler } from 'node:v8';
import { createPrometheusExporter } from '../../src/outputs/prometheus/exporter.js';
import { countOpenFds } from '../../src/self/open-fds.js';
import { captureFrames } from '../frames.js';
import { median, round } from '../stats.js';

/**
 * The /metrics render in-process, from one real frame of this host: CPU time and heap allocated
 * per render, which the scrape section's HTTP round trips blur. Each render gets a new copy of the
 * frame, so that each is a frame's first (later scrapes of a frame write its cached body). Rendered
 * in a loop, the code is optimised; the running agent renders once a second and mostly runs it
 * unoptimised, which `node --no-opt dist/bench/run.js --only render` approximates.
 */

export interface RenderFigures {
  /** CPU time per render, µs. */
  cpuUs: number;
  /** Heap allocated per render, KB. */
  allocatedKb: number;
  bodyKb: number;
}

/**
 * Heap allocated over `fn`: what the collections during it freed plus what is still in use after
 * it. Tenured garbage not yet collected counts as allocated too, which it was.
 */
async function allocatedBytes(fn: () => Promise<void>): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const before = process.memoryUsage().heapUsed;
  await fn();
  const after = process.memoryUsage().heapUsed;
  const freed = (profiler.stop()?.statistics ?? []).reduce(
    (sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
    0,
  );
  return after - before + freed;
}

/** Per-render CPU and allocation of `render`, the median of `rounds` batches of `batch` renders. */
export async function measureRender(
  render: () => Promise<{ body: string }>,
  rounds = 7,
  batch = 200,
): Promise<RenderFigures> {
  const cpuUs: number[] = [];
  const allocated: number[] = [];
  let bodyBytes = 0;
  for (let r = 0; r < rounds; r++) {
    const bytes = await allocatedBytes(async () => {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < batch; i++) bodyBytes = (await render()).body.length;
      const cpu = process.cpuUsage(cpu0);
      cpuUs.push((cpu.user + cpu.system) / batch);
    });
    allocated.push(bytes / batch);
  }
  return { cpuUs: median(cpuUs), allocatedKb: median(allocated) / 1024, bodyKb: bodyBytes / 1024 };
}

export async function runRenderBench(): Promise<Record<string, number>> {
  const { frames, note } = await captureFrames(1);
  const latest = () => ({ ...frames[0] });
  const exporter = createPrometheusExporter({
    openFds: countOpenFds,
    latest,
    version: 'bench',
    runtime: {
      feed: () => ({ clients: 1, droppedFrames: 0 }),
      http: () => ({ rejectedConnections: 0, clientErrors: 0, unauthorized: 0 }),
    },
  });
  await measureRender(() => exporter.render(), 1, 300); // warm-up
  const f = await measureRender(() => exporter.render());
  console.log(`\n/metrics render in-process (one frame of this host, ${note})`);
  console.log(
    `  ${round(f.cpuUs, 0)} µs CPU and ${round(f.allocatedKb, 0)} KB allocated per render, body ${round(f.bodyKb, 1)} KB`,
  );
  return {
    render_cpu_us: round(f.cpuUs, 0),
    render_allocated_kb: round(f.allocatedKb, 0),
  };
}
