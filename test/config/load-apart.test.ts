import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { askChild } from '../../src/config/load-apart.js';

describe('the configuration loader child', () => {
  const dir = mkdtempSync(join(tmpdir(), 'usewatch-load-apart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };

  it('rejects, quoting it, an answer that is not JSON', async () => {
    const path = script('garbage.mjs', "process.stdout.write('Segmentation fault?\\n');");
    await expect(askChild('{}', path)).rejects.toThrow(
      /loading the configuration failed: the loader answered "Segmentation fault\?/,
    );
  });

  it('rejects with its stderr a loader that ends before reading its request', async () => {
    const path = script('dies.mjs', "process.stderr.write('out of memory\\n'); process.exit(1);");
    await expect(askChild('x'.repeat(4 << 20), path)).rejects.toThrow(
      /loading the configuration failed: out of memory/,
    );
  });
});
