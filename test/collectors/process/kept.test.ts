import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEPT_FILES, KeptDescriptors, keptDirsFor } from '../../../collectors/process/kept.js';
import { ProcFs } from '../../../collectors/procfs.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A root whose proc/self/limits holds `limits`, or none when undefined. */
function rootWithLimits(limits: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'usewatch-kept-'));
  roots.push(root);
  if (limits !== undefined) {
    mkdirSync(join(root, 'proc/self'), { recursive: true });
    writeFileSync(join(root, 'proc/self/limits'), limits);
  }
  return root;
}

const openFiles = (soft: string) =>
  'Limit                     Soft Limit           Hard Limit           Units     \n' +
  `Max open files            ${soft}                   4096                 files     \n`;

class Releases extends ProcFs {
  readonly released: string[] = [];
  override release(rel: string): void {
    this.released.push(rel);
    super.release(rel);
  }
}

describe('keptDirsFor', () => {
  it.each([
    ['no limits file (a fixture root)', undefined, 2048],
    ['a soft limit of 12: a quarter, 3 descriptors, one process', openFiles('12'), 1],
    ['a soft limit of 1024', openFiles('1024'), 85],
    ['a soft limit above atMost × 12', openFiles('1048576'), 2048],
    ['an unlimited soft limit', openFiles('unlimited'), 2048],
    ['a limits file that does not parse', openFiles('many'), 2048],
  ])('%s → %i processes', (_what, limits, processes) => {
    const fs = new ProcFs(rootWithLimits(limits));
    expect(keptDirsFor(fs, 2048, KEPT_FILES.length)).toBe(processes);
    fs.close();
  });
});

describe('KeptDescriptors', () => {
  it('offers kept descriptors to new processes while there is room, and always to those it holds', () => {
    const fs = new ProcFs(rootWithLimits(undefined));
    const kept = new KeptDescriptors(2);
    kept.startTick(fs);
    expect(kept.offers('1')).toBe(true);
    kept.markRead('1', 1);
    kept.markRead('2', 1);
    expect(kept.offers('3')).toBe(false);
    expect(kept.offers('2')).toBe(true);
    expect(kept.holds('2')).toBe(true);
    expect(kept.holds('3')).toBe(false);
    fs.close();
  });

  it('releases the stat, schedstat and io of processes not read on the tick, and keeps the others', () => {
    const fs = new Releases(rootWithLimits(undefined));
    const kept = new KeptDescriptors(10);
    kept.startTick(fs);
    kept.markRead('1', 1);
    kept.markRead('2', 1);
    kept.markRead('1', 2);
    kept.releaseUnread(fs, 2);
    expect(fs.released).toEqual(['proc/2/stat', 'proc/2/schedstat', 'proc/2/io']);
    expect(kept.holds('1')).toBe(true);
    expect(kept.holds('2')).toBe(false);
    kept.releaseAll(fs);
    expect(fs.released.slice(3)).toEqual(['proc/1/stat', 'proc/1/schedstat', 'proc/1/io']);
    expect(kept.offers('9')).toBe(true);
    fs.close();
  });

  it('takes its limit from the agent’s own soft limit at the first tick', () => {
    const fs = new ProcFs(rootWithLimits(openFiles('12')));
    const kept = new KeptDescriptors(2048);
    kept.startTick(fs);
    kept.markRead('1', 1);
    expect(kept.offers('2')).toBe(false);
    fs.close();
  });
});
