import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// An empty npm cache, as on a fresh machine: an entry left by an earlier failed `npx usewatch` in
// the same folder would otherwise be tried first.
const cache = mkdtempSync(join(tmpdir(), 'usewatch-npm-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

function npx(...args: string[]) {
  // --no: fail instead of fetching a package from the registry.
  return spawnSync('npx', ['--no', '--', 'usewatch', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, npm_config_cache: cache },
  });
}

/** The README's first command, `npx usewatch …`, resolves to this checkout, never to the registry. */
describe('npx usewatch', () => {
  const version = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;

  it('runs the CLI of this checkout', () => {
    const r = npx('--version');
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(version);
  });

  it('lists every command in its help', () => {
    const r = npx('--help');
    for (const command of ['top', 'check', 'checklist', 'agent', 'record', 'replay', 'install-service']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});
