import { lstatSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Frame, serializeFrame } from '../../src/model/frame.js';
import { createRecorder } from '../../src/outputs/recorder/recorder.js';
import { captureFrames } from '../frames.js';
import { cpuMsSince, round } from '../stats.js';

const DAY_FRAMES = 86_400;
const BUDGET_MB = 200;
const SPACED_FRAMES = 120;
const SPACED_GAP_MS = 50;

/**
 * Records `count` frames, one write and flush per tick as in the agent; CPU ms per frame. Each frame
 * is made just before it is written and dropped after, as the agent's are once they leave its ring:
 * holding them all would keep every frame's JSON alive and bill the recorder for collecting it.
 */
async function record(
  dir: string,
  count: number,
  frameAt: (i: number) => Frame,
  tailsInMemory = true,
): Promise<{ cpuPerFrame: number; tail: string }> {
  const recorder = createRecorder({ dir, tailsInMemory });
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    recorder.write(frameAt(i));
    await recorder.flush();
  }
  const cpu = cpuMsSince(start);
  const tail = tailPlace(dir);
  await recorder.close();
  return { cpuPerFrame: cpu / count, tail };
}

/** Where the open segment's tail is: the directory in memory it links to, or beside on disk. */
function tailPlace(dir: string): string {
  const tail = readdirSync(dir).find((name) => name.endsWith('.tail'));
  if (tail === undefined) return 'none';
  const path = join(dir, tail);
  return lstatSync(path).isSymbolicLink() ? `in memory, ${dirname(dirname(readlinkSync(path)))}` : 'on disk';
}

/**
 * CPU ms per frame when frames come `gapMs` apart, as in an agent's ticks: between frames the
 * caches go cold, which the back-to-back loop above never sees. Only the write and its flush are
 * measured; the first frame, which opens the segment, is not.
 */
async function recordSpaced(dir: string, count: number, gapMs: number, frameAt: (i: number) => Frame): Promise<number> {
  const recorder = createRecorder({ dir, tailsInMemory: true });
  recorder.write(frameAt(0));
  await recorder.flush();
  let cpu = 0;
  for (let i = 1; i <= count; i++) {
    await sleep(gapMs);
    const start = process.cpuUsage();
    recorder.write(frameAt(i));
    await recorder.flush();
    cpu += cpuMsSince(start);
  }
  await recorder.close();
  return cpu / count;
}

/**
 * Bytes on disk per recorded frame, and CPU per frame for serialise + compress + write + sync flush,
 * with the tails in memory as the agent keeps them, and on disk as on a host without tmpfs.
 */
export async function runRecorderBench(frames = 1200): Promise<Record<string, number>> {
  const captured = await captureFrames(60);
  const t0 = Date.UTC(2026, 10, 25, 3, 0, 0);
  // Cycling 60 captured frames with fresh seq/ts: a frame's twin is 60 frames back, far outside
  // deflate's 32 KB window, so repetition does not flatter the ratio.
  const frameAt = (i: number): Frame => ({
    ...captured.frames[i % captured.frames.length],
    seq: i + 1,
    ts: t0 + i * 1000,
  });
  let json = 0;
  for (let i = 0; i < frames; i++) json += Buffer.byteLength(serializeFrame(frameAt(i)));
  const jsonBytes = json / frames;
  const dir = mkdtempSync(join(tmpdir(), 'usewatch-bench-rec-'));
  try {
    await record(join(dir, 'warm-up'), 300, frameAt); // JIT and zlib warm-up, not measured
    const measured = join(dir, 'measured');
    // In turns, so that neither placement of the tails gets the warmer JIT and caches.
    const rounds = 4;
    let cpuPerFrame = 0;
    let diskTailCpuPerFrame = 0;
    let tail = '';
    for (let r = 0; r < rounds; r++) {
      const inMemory = await record(join(measured, String(r)), frames / rounds, frameAt);
      const onDisk = await record(join(dir, 'disk-tail', String(r)), frames / rounds, frameAt, false);
      cpuPerFrame += inMemory.cpuPerFrame / rounds;
      diskTailCpuPerFrame += onDisk.cpuPerFrame / rounds;
      tail = inMemory.tail;
    }
    const onDisk = readdirSync(measured, { recursive: true, encoding: 'utf8' }).reduce(
      (sum, name) => sum + statSync(join(measured, name)).size,
      0,
    );
    const bytesPerFrame = onDisk / frames;
    const dayMb = (bytesPerFrame * DAY_FRAMES) / 1024 / 1024;
    const spacedCpuPerFrame = await recordSpaced(join(dir, 'spaced'), SPACED_FRAMES, SPACED_GAP_MS, frameAt);
    console.log(`recorder (${captured.note}; tails ${tail})`);
    console.log(`  ${Math.round(jsonBytes)} B of JSON per frame → ${Math.round(bytesPerFrame)} B on disk`);
    console.log(`  ${round(cpuPerFrame, 3)} ms CPU per recorded frame (budget ≤ 0.3)`);
    console.log(`  ${round(spacedCpuPerFrame, 3)} ms CPU per frame with frames ${SPACED_GAP_MS} ms apart`);
    console.log(`  ${round(diskTailCpuPerFrame, 3)} ms CPU per frame with tails on disk (a host without tmpfs)`);
    console.log(`  24 h at 1 s: ${round(dayMb, 1)} MB (budget ≤ ${BUDGET_MB} MB)`);
    return {
      recorder_json_bytes_per_frame: Math.round(jsonBytes),
      recorder_bytes_per_frame: Math.round(bytesPerFrame),
      recorder_cpu_ms_per_frame: round(cpuPerFrame, 4),
      recorder_spaced_cpu_ms_per_frame: round(spacedCpuPerFrame, 4),
      recorder_disk_tail_cpu_ms_per_frame: round(diskTailCpuPerFrame, 4),
      recorder_day_mb: round(dayMb, 1),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
