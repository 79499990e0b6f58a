import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../src/model/frame.js';
import { Engine } from '../../src/pipeline/engine.js';

const HOST = new URL('../fixtures/host/', import.meta.url).pathname;
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'usewatch-families-'));
  cpSync(HOST, root, { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A PSI file whose "some" and "full" totals are the ones given, in µs. */
const psi = (someUs: number, fullUs: number) =>
  `some avg10=0.00 avg60=0.00 avg300=0.00 total=${someUs}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${fullUs}\n`;

/** Two ticks of the whole pipeline one second apart, the second after `change` edited the fixture root. */
async function twoTicks(change: () => void): Promise<Frame> {
  let mono = 10_000;
  const perfNow = vi.spyOn(performance, 'now').mockImplementation(() => mono);
  const engine = new Engine({ root });
  try {
    await engine.tick();
    change();
    mono += 1000;
    return await engine.tick();
  } finally {
    engine.close();
    perfNow.mockRestore();
  }
}

describe('pipeline families', () => {
  it('turns the pressure files into cpu, memory and disk stall shares, and procs_blocked into disk.blocked_tasks', async () => {
    const pressure = join(root, 'proc/pressure');
    writeFileSync(join(pressure, 'cpu'), psi(0, 0));
    writeFileSync(join(pressure, 'memory'), psi(0, 0));
    writeFileSync(join(pressure, 'io'), psi(0, 0));
    const stat = join(root, 'proc/stat');
    const frame = await twoTicks(() => {
      writeFileSync(join(pressure, 'cpu'), psi(100_000, 0));
      writeFileSync(join(pressure, 'memory'), psi(200_000, 50_000));
      writeFileSync(join(pressure, 'io'), psi(400_000, 300_000));
      writeFileSync(stat, readFileSync(stat, 'utf8').replace(/^procs_blocked \d+$/m, 'procs_blocked 3'));
    });
    const host = (name: string) => frame.metrics[name]?.[''];
    expect(host('cpu.psi_some')).toBe(0.1);
    expect(host('memory.psi_some')).toBe(0.2);
    expect(host('memory.psi_full')).toBe(0.05);
    expect(host('disk.psi_some')).toBe(0.4);
    expect(host('disk.psi_full')).toBe(0.3);
    expect(host('disk.blocked_tasks')).toBe(3);
  });
});
