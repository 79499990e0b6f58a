import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeInventory, InventoryCache, parseInventory } from '../../src/pipeline/inventory.js';

/** A probe that prints `text`, run by this node. */
function fakeProbe(text: string) {
  return { command: process.execPath, args: ['-e', `process.stdout.write(${JSON.stringify(text)});`] };
}

describe('describeInventory', () => {
  it('joins the distribution and its release, the CPU maker and its brand', () => {
    expect(
      describeInventory({
        os: { distro: 'Debian GNU/Linux', release: '12' },
        cpu: { manufacturer: 'Intel', brand: 'Xeon® Gold 6248' },
      }),
    ).toEqual({ os: 'Debian GNU/Linux 12', cpuModel: 'Intel Xeon® Gold 6248' });
  });

  it('leaves out what systeminformation did not know', () => {
    expect(describeInventory({ os: { distro: '', release: '' }, cpu: { brand: 'EPYC' } })).toEqual({
      os: undefined,
      cpuModel: 'EPYC',
    });
  });
});

describe('parseInventory', () => {
  it('reads the probe answer', () => {
    expect(parseInventory('{"os":"Alpine Linux 3.20","cpuModel":"AMD EPYC"}\n')).toEqual({
      os: 'Alpine Linux 3.20',
      cpuModel: 'AMD EPYC',
    });
  });

  it('keeps only non-empty strings', () => {
    expect(parseInventory('{"os":42,"cpuModel":""}')).toEqual({});
  });

  it('refuses what is not a JSON object', () => {
    expect(parseInventory('')).toBeUndefined();
    expect(parseInventory('Debian 12')).toBeUndefined();
    expect(parseInventory('["Debian"]')).toBeUndefined();
    expect(parseInventory('null')).toBeUndefined();
  });
});

describe('InventoryCache', () => {
  it('holds the answer of its probe process', async () => {
    const cache = new InventoryCache(fakeProbe('{"os":"Debian GNU/Linux 12","cpuModel":"AMD EPYC"}\n'));
    expect(cache.get()).toBeUndefined();
    await cache.refresh();
    expect(cache.get()).toEqual({ os: 'Debian GNU/Linux 12', cpuModel: 'AMD EPYC' });
  });

  it('keeps the last answer when a later probe fails or prints nonsense', async () => {
    // The probe prints what the file says and exits with its code, so each refresh can answer differently.
    const answer = join(mkdtempSync(join(tmpdir(), 'usewatch-inventory-')), 'answer.json');
    const cache = new InventoryCache({
      command: process.execPath,
      args: [
        '-e',
        `const a = require(${JSON.stringify(answer)}); process.stdout.write(a.text); process.exitCode = a.code;`,
      ],
    });
    const answerWith = (text: string, code: number) => writeFileSync(answer, JSON.stringify({ text, code }));
    try {
      answerWith('{"os":"Debian GNU/Linux 12"}', 0);
      await cache.refresh();
      answerWith('{"os":"Other 1"}', 1);
      await cache.refresh();
      answerWith('not json', 0);
      await cache.refresh();
      expect(cache.get()).toEqual({ os: 'Debian GNU/Linux 12' });
    } finally {
      rmSync(dirname(answer), { recursive: true, force: true });
    }
  });

  it('probes again only when an OS release file changed, or the last probe failed', async () => {
    // The probe counts its runs in a file and answers, or fails, as a second file says.
    const dir = mkdtempSync(join(tmpdir(), 'usewatch-inventory-'));
    const runs = join(dir, 'runs');
    const answer = join(dir, 'answer.json');
    const osRelease = join(dir, 'os-release');
    writeFileSync(runs, '');
    writeFileSync(osRelease, 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n');
    const answerWith = (text: string, code: number) => writeFileSync(answer, JSON.stringify({ text, code }));
    const cache = new InventoryCache(
      {
        command: process.execPath,
        args: [
          '-e',
          `const fs = require('fs'); fs.appendFileSync(${JSON.stringify(runs)}, 'x');` +
            `const a = JSON.parse(fs.readFileSync(${JSON.stringify(answer)}, 'utf8'));` +
            'process.stdout.write(a.text); process.exitCode = a.code;',
        ],
      },
      [osRelease, join(dir, 'lsb-release')],
    );
    const probes = () => readFileSync(runs, 'utf8').length;
    try {
      answerWith('{"os":"Debian GNU/Linux 12"}', 0);
      await cache.refresh();
      await cache.check();
      await cache.check();
      expect(probes()).toBe(1);

      writeFileSync(osRelease, 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\n');
      answerWith('{"os":"Debian GNU/Linux 13"}', 0);
      await cache.check();
      expect(probes()).toBe(2);
      expect(cache.get()).toEqual({ os: 'Debian GNU/Linux 13' });
      await cache.check();
      expect(probes()).toBe(2);

      writeFileSync(join(dir, 'lsb-release'), 'DISTRIB_ID=Debian\n');
      answerWith('', 1);
      await cache.check();
      expect(probes()).toBe(3);
      expect(cache.get()).toEqual({ os: 'Debian GNU/Linux 13' });
      answerWith('{"os":"Debian GNU/Linux 13.1"}', 0);
      await cache.check();
      expect(probes()).toBe(4);
      expect(cache.get()).toEqual({ os: 'Debian GNU/Linux 13.1' });
      await cache.check();
      expect(probes()).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stays without inventory when the probe cannot be run', async () => {
    const cache = new InventoryCache({ command: '/nonexistent/node', args: [] });
    await cache.refresh();
    expect(cache.get()).toBeUndefined();
  });

  it('kills a probe still running when stopped', async () => {
    const cache = new InventoryCache({ command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60_000)'] });
    const started = Date.now();
    const refreshed = cache.refresh();
    cache.stop();
    await refreshed;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(cache.get()).toBeUndefined();
  });
});
