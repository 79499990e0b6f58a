import { mkdtempSync, readdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { FrameSource } from '../../src/model/frame.js';
import { FRAME_SCHEMA, type Frame } from '../../src/model/frame.js';
import { RECORDING_FORMAT, type SegmentHeader } from '../../src/outputs/recorder/format.js';
import { isMemoryFs } from '../../src/outputs/recorder/tail-dir.js';

export const T0 = Date.UTC(2026, 10, 25, 3, 0, 0);

/** The header of a test segment opened at T0. */
export const SEGMENT_HEADER: SegmentHeader = {
  usewatch: 'recording',
  format: RECORDING_FORMAT,
  frameSchema: FRAME_SCHEMA,
  host: 'web-01',
  agentVersion: 'test',
  created: T0,
};

/**
 * A small valid frame. `padding` adds a string of pseudo-random hex that does not compress, for
 * tests that need segments to fill up.
 */
export function makeFrame(seq: number, ts = T0 + (seq - 1) * 1000, padding = 0): Frame {
  let noise = '';
  let x = seq * 2654435761;
  while (noise.length < padding) {
    x = (x * 1103515245 + 12345) >>> 0;
    noise += x.toString(16).padStart(8, '0');
  }
  return {
    schema: FRAME_SCHEMA,
    seq,
    ts,
    intervalMs: seq === 1 ? 0 : 1000,
    host: { hostname: 'web-01', kernel: '6.1.0', cpus: 2, agentVersion: '0.1.0' },
    metrics: { 'cpu.utilization': { '': (seq % 100) / 100, '0': 0.5 }, 'memory.utilization': { '': 0.42 } },
    use: [
      { resource: 'cpu', instance: '', dimension: 'utilization', status: 'ok', metric: 'cpu.utilization', value: 0.1 },
    ],
    findings: [],
    events: [],
    processes: [
      { pid: 42, name: 'node', cmd: 'node app.js', user: 'app', state: 'R', cpu: 0.3, rssBytes: 1e8, threads: 7 },
    ],
    kernelEvents: [],
    sources: [],
    self: {
      tickMs: 3,
      tickCpuMs: 2,
      collectors: [],
      skippedTicks: 0,
      rssBytes: 5e7,
      ...(padding ? { noise } : {}),
    } as Frame['self'],
    counters: { kernel: { threads: 300 }, load: { load1: 1.5, load5: 1, load15: 0.5 } },
  };
}

/** A frame as a reader gives it back: lists as objects, no in-process fields. */
export function readBack(frame: Frame): unknown {
  const { counters: _counters, ...rest } = frame;
  return JSON.parse(JSON.stringify(rest));
}

export async function collect(frames: FrameSource): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of frames) out.push(f);
  return out;
}

const dirs: string[] = [];

/** A temporary directory removed after the test. */
export function tempDir(prefix = 'usewatch-rec-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Whether `dir` is on tmpfs (or ramfs); false when it cannot be seen. */
export function inMemory(dir: string): boolean {
  try {
    return isMemoryFs(statfsSync(dir).type);
  } catch {
    return false;
  }
}

export function segmentFiles(dir: string): { name: string; size: number }[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.ndjson.gz'))
    .sort()
    .map((name) => ({ name, size: statSync(join(dir, name)).size }));
}
