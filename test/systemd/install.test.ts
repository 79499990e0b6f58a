import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installService } from '../../src/systemd/install.js';

let dest: string | undefined;
afterEach(() => {
  if (dest) rmSync(dest, { recursive: true, force: true });
});

const base = {
  unitDir: '/etc/systemd/system',
  configDir: '/etc/usewatch',
  noCaps: false,
  nodePath: '/usr/local/bin/node',
  cliPath: '/srv/usewatch/dist/bin/usewatch.js',
};

describe('install-service', () => {
  it('writes the unit pointing at this installation and a commented default config', () => {
    dest = mkdtempSync(join(tmpdir(), 'usewatch-install-'));
    const r = installService({ ...base, destdir: dest });
    const unit = readFileSync(r.unitPath, 'utf8');
    expect(r.unitPath).toBe(join(dest, 'etc/systemd/system/usewatch.service'));
    expect(unit).toContain(
      'ExecStart=/usr/local/bin/node /srv/usewatch/dist/bin/usewatch.js agent --config /etc/usewatch/config.yaml',
    );
    expect(unit).toContain('AmbientCapabilities=CAP_SYS_PTRACE');
    expect(r.configCreated).toBe(true);
    expect(readFileSync(r.configPath, 'utf8')).toMatch(/^#/m);
    expect(r.nextSteps).toContain('systemctl enable --now usewatch');
    expect(r.nextSteps).toContain('scrape_configs');
    expect(r.warnings).toEqual([]);
  });

  it('warns when node or the CLI lives where ProtectHome hides it from the service', () => {
    dest = mkdtempSync(join(tmpdir(), 'usewatch-install-'));
    const r = installService({ ...base, destdir: dest, nodePath: '/root/.nvm/versions/node/v20/bin/node' });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/\/root\/\.nvm.*ProtectHome=yes/);
  });

  it('never overwrites an existing config, and installs the capability-free variant on request', () => {
    dest = mkdtempSync(join(tmpdir(), 'usewatch-install-'));
    installService({ ...base, destdir: dest });
    const configPath = join(dest, 'etc/usewatch/config.yaml');
    writeFileSync(configPath, 'interval: 5s\n');
    const r = installService({ ...base, destdir: dest, noCaps: true });
    expect(r.configCreated).toBe(false);
    expect(readFileSync(configPath, 'utf8')).toBe('interval: 5s\n');
    expect(readFileSync(r.unitPath, 'utf8')).toMatch(/^CapabilityBoundingSet=$/m);
  });
});
