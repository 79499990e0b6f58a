import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcFs } from '../../collectors/procfs.js';
import { Engine } from '../../src/pipeline/engine.js';
import { parseUptimeSeconds, readHostFacts, UNKNOWN_HOST_FACT } from '../../src/pipeline/host-facts.js';

const hostRoot = new URL('../fixtures/host/', import.meta.url).pathname;
const empty = mkdtempSync(join(tmpdir(), 'usewatch-nofacts-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

async function firstFrame(root: string) {
  const engine = new Engine({ root });
  try {
    return await engine.tick();
  } finally {
    engine.close();
  }
}

describe('host facts', () => {
  it('a fixture root describes its own host: hostname, kernel release and uptime from its /proc', async () => {
    const before = Date.now();
    const { host } = await firstFrame(hostRoot);
    expect(host.hostname).toBe('fixture-host');
    expect(host.kernel).toBe('6.1.0-18-amd64');
    // proc/uptime says 350735.47 s; the frame counts on from when the engine read it.
    const elapsed = (Date.now() - before) / 1000;
    expect(host.uptimeSeconds).toBeGreaterThanOrEqual(350735);
    expect(host.uptimeSeconds).toBeLessThanOrEqual(350736 + elapsed);
  });

  it('the live root gives what uname gives', async () => {
    const { host } = await firstFrame('/');
    expect(host.hostname).toBe(hostname());
    expect(host.kernel).toBe(release());
    expect(host.uptimeSeconds).toBeGreaterThan(0);
  });

  it('a root without the files says "unknown" and leaves the uptime out, without failing the tick', async () => {
    const fs = new ProcFs(empty);
    expect(readHostFacts(fs, 1_000)).toEqual({
      hostname: UNKNOWN_HOST_FACT,
      kernel: UNKNOWN_HOST_FACT,
      identity: {
        uname: {
          sysname: UNKNOWN_HOST_FACT,
          nodename: UNKNOWN_HOST_FACT,
          release: UNKNOWN_HOST_FACT,
          version: UNKNOWN_HOST_FACT,
          machine: UNKNOWN_HOST_FACT,
          domainname: UNKNOWN_HOST_FACT,
        },
        osRelease: new Map(),
      },
    });
    fs.close();
    const frame = await firstFrame(empty);
    expect(frame.host.hostname).toBe('unknown');
    expect(frame.host.kernel).toBe('unknown');
    expect(frame.host).not.toHaveProperty('uptimeSeconds');
  });

  it('names the kernel as uname does and the distribution as os-release does, for the frame counters', async () => {
    const { counters } = await firstFrame(hostRoot);
    expect(counters?.identity?.uname).toEqual({
      sysname: 'Linux',
      nodename: 'fixture-host',
      release: '6.1.0-18-amd64',
      version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)',
      machine: 'x86_64',
      domainname: '(none)',
    });
    expect(counters?.identity?.osRelease.get('PRETTY_NAME')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(counters?.identity?.osRelease.get('VERSION_CODENAME')).toBe('bookworm');
  });

  it('reads the boot time from the first field of /proc/uptime, and refuses what is not a duration', () => {
    expect(parseUptimeSeconds('350735.47 690012.31\n')).toBe(350735.47);
    expect(parseUptimeSeconds('12 ')).toBe(12);
    expect(parseUptimeSeconds('')).toBeUndefined();
    expect(parseUptimeSeconds('\n')).toBeUndefined();
    expect(parseUptimeSeconds('up 3 days')).toBeUndefined();
    expect(parseUptimeSeconds('-5 1')).toBeUndefined();
  });
});
