import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The README's first command, `npx usewatch …`, resolves to this checkout, never to the registry. */
describe('npx usewatch', () => {
  const version = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;

  it('runs the CLI of this checkout', () => {
    // --no: fail instead of fetching a package from the registry.
    const r = spawnSync('npx', ['--no', '--', 'usewatch', '--version'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(version);
  });

  it('lists every command in its help', () => {
    const r = spawnSync('npx', ['--no', '--', 'usewatch', '--help'], { encoding: 'utf8', timeout: 60_000 });
    for (const command of ['top', 'check', 'checklist', 'agent', 'record', 'replay', 'install-service']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});
