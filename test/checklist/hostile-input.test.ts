import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblem, inspectChecklist } from '../../src/checklist/load.js';
import { parseChecklistSource } from '../../src/checklist/parse-file.js';
import { MAX_INPUT_FILE_BYTES } from '../../src/config/input-file.js';

const ALIAS_BOMB = fileURLToPath(new URL('../fixtures/hostile/alias-bomb.yaml', import.meta.url));
const STAR_GLOB = fileURLToPath(new URL('../fixtures/hostile/star-glob.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'usewatch-hostile-checklist-'));

async function problemsOf(paths: string[]): Promise<string[]> {
  return (await inspectChecklist(paths)).problems.map(formatProblem);
}

describe('hostile checklists', () => {
  it('refuse keys that reach a prototype, at their position, in every section', () => {
    const text = [
      'link_speeds:',
      '  __proto__: 1000',
      'overrides:',
      '  - rule: fs.utilization',
      '    constructor: {}',
      '    prototype: 1',
      '',
    ].join('\n');
    expect(parseChecklistSource(text, 'site.yaml').problems.map(formatProblem)).toEqual([
      'site.yaml:2:3: "__proto__" is not allowed as a key',
      'site.yaml:5:5: "constructor" is not allowed as a key',
      'site.yaml:6:5: "prototype" is not allowed as a key',
    ]);
  });

  it('refuse an alias bomb, naming the file', async () => {
    expect(await problemsOf([ALIAS_BOMB])).toEqual([
      `${ALIAS_BOMB}:3:8: cannot expand the document: more than 100 alias expansions (an alias bomb?)`,
    ]);
  });

  it('load a star glob override, which then matches in linear time', async () => {
    const { checklist, problems } = await inspectChecklist([STAR_GLOB]);
    expect(problems).toEqual([]);
    const [override] = checklist.overrides;
    expect(override.instance).toBe('**********x');
    expect(override.matches('/mnt/sandboxing/model_tools_env/v1/python')).toBe(false);
    expect(override.matches('/srv/box')).toBe(true);
  });

  it('refuse a FIFO, a device and a file over the limit, each by name', async () => {
    const fifo = join(dir, 'rules.yaml');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(MAX_INPUT_FILE_BYTES)}\n`);
    const started = performance.now();
    expect(await problemsOf([fifo, '/dev/zero', big])).toEqual([
      `${fifo}:1:1: cannot read: a FIFO, not a regular file`,
      '/dev/zero:1:1: cannot read: a character device, not a regular file',
      `${big}:1:1: cannot read: ${MAX_INPUT_FILE_BYTES + 3} bytes, larger than the limit of ${MAX_INPUT_FILE_BYTES} bytes`,
    ]);
    expect(performance.now() - started).toBeLessThan(2000);
    rmSync(fifo);
    rmSync(big);
  });

  it('report at most 100 problems per file, and say where they stopped', async () => {
    const bad = join(dir, 'many-bad.yaml');
    writeFileSync(
      bad,
      `gaps: [${Array(50_000).fill('1').join(',')}]\nlink_speeds:\n${Array.from({ length: 20_000 }, (_, i) => `  e${i}: x`).join('\n')}\n`,
    );
    const started = performance.now();
    const found = (await inspectChecklist([bad], { defaults: false })).problems;
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(found).toHaveLength(101);
    expect(found[0].message).toBe('link_speeds.e0: Invalid input: expected number, received string');
    expect(found[100].message).toBe('stopped after 100 problems in this file');
    rmSync(bad);
  });

  it('bound the problems found between files too', async () => {
    const unknown = join(dir, 'unknown-rules.yaml');
    writeFileSync(
      unknown,
      `overrides:\n${Array.from({ length: 150 }, (_, i) => `  - rule: no.rule.${i}\n    warn: 1`).join('\n')}\n`,
    );
    const found = (await inspectChecklist([unknown])).problems;
    expect(found).toHaveLength(101);
    expect(found[0].message).toBe('override: unknown rule id "no.rule.0"');
    expect(found[100].message).toBe('50 more problem(s) not shown');
    rmSync(unknown);
  });

  it('refuse a directory without checklist files, naming it', async () => {
    const empty = join(dir, 'empty.d');
    mkdirSync(empty);
    const other = join(dir, 'other.d');
    mkdirSync(other);
    writeFileSync(join(other, 'README'), 'not a checklist\n');
    expect(await problemsOf([empty, other])).toEqual([
      `${empty}:1:1: the directory holds no checklist files (*.yaml, *.yml)`,
      `${other}:1:1: the directory holds no checklist files (*.yaml, *.yml)`,
    ]);
  });
});
