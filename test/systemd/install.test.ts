import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installService, unitNodeFlags } from '../../src/systemd/install.js';

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

const shippedUnit = (name: string) => readFileSync(join(process.cwd(), 'deploy/systemd', name), 'utf8');

describe('unitNodeFlags', () => {
  it('reads the words between the node binary and the CLI script of ExecStart', () => {
    expect(
      unitNodeFlags('[Service]\nExecStart=/usr/bin/node --max-semi-space-size=1 --foo /opt/x/usewatch.js agent\n'),
    ).toEqual(['--max-semi-space-size=1', '--foo']);
    expect(unitNodeFlags('ExecStart=/usr/bin/node /opt/x/usewatch.js agent\n')).toEqual([]);
    expect(unitNodeFlags('[Service]\nType=notify\n')).toEqual([]);
  });
});

describe('install-service', () => {
  it("gives the agent the shipped unit's Node flags, in both variants", () => {
    dest = mkdtempSync(join(tmpdir(), 'usewatch-install-'));
    for (const [noCaps, name] of [
      [false, 'usewatch.service'],
      [true, 'usewatch-nocaps.service'],
    ] as const) {
      const flags = unitNodeFlags(shippedUnit(name));
      expect(flags.length).toBeGreaterThan(0);
      const unit = readFileSync(installService({ ...base, destdir: dest, noCaps }).unitPath, 'utf8');
      expect(unit).toContain(
        `ExecStart=/usr/local/bin/node ${flags.join(' ')} /srv/usewatch/dist/bin/usewatch.js agent --config /etc/usewatch/config.yaml`,
      );
    }
  });

  it('writes the unit pointing at this installation and a commented default config', () => {
    dest = mkdtempSync(join(tmpdir(), 'usewatch-install-'));
    const r = installService({ ...base, destdir: dest });
    const unit = readFileSync(r.unitPath, 'utf8');
    expect(r.unitPath).toBe(join(dest, 'etc/systemd/system/usewatch.service'));
    expect(unit).toMatch(
      /^ExecStart=\/usr\/local\/bin\/node (--\S+ )*\/srv\/usewatch\/dist\/bin\/usewatch\.js agent --config \/etc\/usewatch\/config\.yaml$/m,
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
