import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecording } from '../../src/replay/reader.js';
import { collect, inMemory, tempDir } from './helpers.js';
import { transpileForNode } from './transpile.js';

/** Writes frames as fast as it can, printing the seq of each one once its write has completed. */
const CHILD = `
import { createRecorder } from './src/outputs/recorder/recorder.js';
const dir = process.argv[2];
const tailsInMemory = process.argv[3] === 'memory';
const recorder = createRecorder({ dir, memberFrames: 7, segmentBytes: 64 * 1024, tailsInMemory });
for (let seq = 1; ; seq++) {
  recorder.write({
    schema: 1, seq, ts: 1790000000000 + seq * 1000, intervalMs: 1000,
    host: { hostname: 'crash', kernel: '6', cpus: 2, agentVersion: 'test' },
    metrics: { 'cpu.utilization': { '': Math.random() } }, use: [], findings: [], events: [],
    processes: Array.from({ length: 20 }, (_, pid) => ({ pid, name: 'p' + pid, cpu: Math.random() })),
    kernelEvents: [], sources: [], self: { tickMs: 1, tickCpuMs: 1, collectors: [], skippedTicks: 0, rssBytes: 1 },
  });
  await recorder.flush();
  process.stdout.write(seq + '\\n');
}
`;

/** The tails the recorder left in `dir` that are links, and so live in memory. */
function linkedTails(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.tail') && lstatSync(join(dir, name)).isSymbolicLink())
    .map((name) => readlinkSync(join(dir, name)));
}

/** Without runtime directories, tails in memory go to /dev/shm. */
const CHILD_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'RUNTIME_DIRECTORY' && name !== 'XDG_RUNTIME_DIR'),
);

describe('a recorder killed with SIGKILL', () => {
  it.each([
    ['beside the segment', 'disk'],
    ['in memory', 'memory'],
  ])('loses at most the frame being written, its tail %s', async (_where, tails) => {
    const build = tempDir('usewatch-child-');
    transpileForNode('src/outputs/recorder/recorder.ts', build);
    writeFileSync(join(build, 'child.mjs'), CHILD);
    const dir = tempDir();
    const links: string[] = [];
    for (const killAfter of [40, 173]) {
      const recDir = join(dir, String(killAfter));
      const child = spawn(process.execPath, [join(build, 'child.mjs'), recDir, tails], {
        env: CHILD_ENV,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let confirmed = 0;
      await new Promise<void>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          if (lines.length > 0) confirmed = Number(lines.at(-1));
          if (confirmed >= killAfter && child.exitCode === null && !child.killed) child.kill('SIGKILL');
        });
        child.on('exit', (_code, signal) =>
          signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited: ${signal ?? _code}`)),
        );
      });
      const warnings: string[] = [];
      const seqs = (await collect(await readRecording(recDir, { onWarning: (w) => warnings.push(w.message) }))).map(
        (f) => f.seq,
      );
      // Every frame whose write completed is there, in order, and at most one more (the one in flight).
      expect(seqs.length).toBeGreaterThanOrEqual(confirmed);
      expect(seqs.length).toBeLessThanOrEqual(confirmed + 2);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      for (const w of warnings) expect(w).toMatch(/partial frame/);
      links.push(...linkedTails(recDir));
    }
    for (const link of links) rmSync(dirname(link), { recursive: true, force: true }); // what a reboot does
    if (tails === 'memory' && inMemory('/dev/shm')) {
      // The open segment's tail, read above through its link (only a kill just after a rotation has none).
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(link).toMatch(/^\/dev\/shm\/usewatch-tails-/);
    } else expect(links).toEqual([]);
  });
});
