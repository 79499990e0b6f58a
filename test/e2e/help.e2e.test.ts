import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// What `--help` of the built CLI prints (npm run build first), against what the docs promise.
const CLI = join(process.cwd(), 'dist/bin/usewatch.js');

function help(...command: string[]): string {
  return spawnSync(process.execPath, [CLI, ...command, '--help'], { encoding: 'utf8' }).stdout;
}

describe('usewatch --help', () => {
  it('repeatable options print no "(default: [])"; real defaults still show', () => {
    for (const command of [
      ['check'],
      ['checklist', 'show'],
      ['checklist', 'explain'],
      ['top'],
      ['replay'],
      ['record'],
      ['agent'],
    ]) {
      const text = help(...command);
      expect(text, command.join(' ')).toContain('--checklist <path>');
      expect(text, command.join(' ')).not.toContain('(default: [])');
    }
    expect(help('check')).toMatch(/--for <duration> +how long to sample, e\.g\. 10s, 1m \(default: "10s"\)/);
  });

  it('every option docs/tui.md names for usewatch top is listed by top --help', () => {
    const doc = readFileSync(join(process.cwd(), 'docs/tui.md'), 'utf8');
    // Node's own flags in the memory section are not usewatch options.
    const named = new Set([...doc.matchAll(/`[^`]*?(--[a-z][a-z-]*)/g)].map((m) => m[1]));
    const node = ['--max-opt', '--optimize-for-size', '--semi-space-growth-factor'];
    const text = help('top');
    for (const option of named) if (!node.includes(option)) expect(text, option).toContain(`${option} `);
  });
});
