import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderUnit } from '../../src/systemd/install.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasAnalyze) console.log('skipping unit checks: systemd-analyze is not installed');

const dir = mkdtempSync(join(tmpdir(), 'usewatch-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function unitFile(noCaps: boolean): string {
  // The check needs ExecStart's binary to exist: point it at this machine's node.
  const path = join(dir, noCaps ? 'nocaps' : 'default', 'usewatch.service');
  execFileSync('mkdir', ['-p', join(path, '..')]);
  writeFileSync(
    path,
    renderUnit({
      noCaps,
      nodePath: process.execPath,
      cliPath: '/opt/usewatch/dist/bin/usewatch.js',
      configDir: '/etc/usewatch',
    }),
  );
  return path;
}

function exposure(path: string): number {
  const out = execFileSync('systemd-analyze', ['security', '--offline=true', path], { encoding: 'utf8' });
  const m = /Overall exposure level for usewatch\.service: (\d+\.\d+)/.exec(out);
  if (!m) throw new Error(`no exposure level in:\n${out}`);
  return Number(m[1]);
}

describe.skipIf(!hasAnalyze)('systemd unit', () => {
  for (const noCaps of [false, true]) {
    const name = noCaps ? 'variant without capabilities' : 'default unit';
    it(`${name}: systemd-analyze verify prints nothing`, () => {
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', unitFile(noCaps)], { encoding: 'utf8' });
      expect(`${r.stdout}${r.stderr}`).toBe('');
      expect(r.status).toBe(0);
    });
    it(`${name}: exposure is within budget`, () => {
      expect(exposure(unitFile(noCaps))).toBeLessThanOrEqual(noCaps ? 1.5 : 2.0);
    });
  }

  it('is Type=notify with a watchdog, keeps V8 working (no MemoryDenyWriteExecute) and keeps /run/usewatch across restarts', () => {
    const unit = readFileSync(unitFile(false), 'utf8');
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^NotifyAccess=all$/m);
    expect(unit).toMatch(/^WatchdogSec=\d+s$/m);
    expect(unit).toMatch(/^MemoryDenyWriteExecute=no$/m);
    // A recording's newest frames live in the runtime directory: a restart after a crash keeps them.
    expect(unit).toMatch(/^RuntimeDirectory=usewatch$/m);
    expect(unit).toMatch(/^RuntimeDirectoryPreserve=restart$/m);
    expect(unit).toMatch(
      /^ExecStart=\S+node (--\S+ )*\/opt\/usewatch\/dist\/bin\/usewatch\.js agent --config \/etc\/usewatch\/config\.yaml$/m,
    );
  });
});
