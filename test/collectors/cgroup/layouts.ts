import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** The fixture trees of test/fixtures/cgroup-layouts, one per naming scheme. */
export const layouts = join(import.meta.dirname, '..', '..', 'fixtures', 'cgroup-layouts');

/** Scratch roots for tests that change a tree, removed after each test. */
export function scratchRoots() {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const empty = () => {
    const dir = mkdtempSync(join(tmpdir(), 'usewatch-cg-'));
    dirs.push(dir);
    return dir;
  };
  const copyOf = (scheme: string) => {
    const dir = empty();
    cpSync(join(layouts, scheme), dir, { recursive: true, verbatimSymlinks: true });
    return dir;
  };
  return { empty, copyOf };
}
