import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPressureCollector, parsePressure } from '../../collectors/pressure.js';
import { ProcFs, SourceLog, statusOfError } from '../../collectors/procfs.js';
import { expectCorruptionReported, fuzzParser, readOnce } from './parser-fuzz.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const host = join(fixtures, 'host');
const fixture = (tree: string, rel: string) => readFileSync(join(fixtures, tree, rel), 'latin1');

/** A kernel booted with CONFIG_PSI_DEFAULT_DISABLED and without psi=1: the files exist, reading them fails. */
class PsiDisabledFs extends ProcFs {
  override readKept(rel: string) {
    if (rel.startsWith('proc/pressure/')) {
      return { ok: false as const, ...statusOfError(Object.assign(new Error('read'), { code: 'EOPNOTSUPP' })) };
    }
    return super.readKept(rel);
  }
}

describe('parsePressure', () => {
  it('reads the host /proc/pressure files', () => {
    expect(parsePressure(fixture('host', 'proc/pressure/cpu'))).toEqual({
      some: { avg10: 17.3, avg60: 7.02, avg300: 2.68, totalUs: 16122089 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 },
    });
    expect(parsePressure(fixture('host', 'proc/pressure/io'))).toEqual({
      some: { avg10: 0, avg60: 0.02, avg300: 0.12, totalUs: 2076881 },
      full: { avg10: 0, avg60: 0.02, avg300: 0.11, totalUs: 1834372 },
    });
  });

  it('reads irq, which has only a full line, and ignores unknown prefixes', () => {
    expect(parsePressure(`${fixture('server', 'proc/pressure/irq')}future avg10=1.00 x=2\n`)).toEqual({
      full: { avg10: 0.5, avg60: 0.2, avg300: 0.05, totalUs: 123456 },
    });
  });

  it('names the line and field that are wrong', () => {
    expect(() => parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=1\nfull avg10=0.00 total=1\n')).toThrow(
      /line 2: expected 4 key=value fields/,
    );
    expect(() => parsePressure('some avg10=0.00 avg60=x avg300=0.00 total=1\n')).toThrow(/line 1: avg60/);
    expect(() => parsePressure('')).toThrow(/no "some" or "full" line/);
  });

  it('rejects nonsense and truncations only with ParseError', () => {
    fuzzParser(parsePressure, fixture('host', 'proc/pressure/io'));
  });
});

describe('createPressureCollector', () => {
  it('reads cpu, memory and io on the host and reports the missing irq file once', async () => {
    const collector = createPressureCollector();
    const fs = new ProcFs(host);
    const first = new SourceLog(fs);
    const sample = await collector.read(first);
    expect(sample?.cpu?.some?.totalUs).toBe(16122089);
    expect(sample?.memory?.full?.totalUs).toBe(0);
    expect(sample?.io?.full?.totalUs).toBe(1834372);
    expect(sample?.irq).toBeUndefined();
    expect(first.reports.filter((r) => r.status !== 'ok')).toEqual([
      { source: 'proc/pressure/irq', status: 'absent', reason: 'ENOENT' },
    ]);
    const second = new SourceLog(fs);
    await collector.read(second);
    expect(second.reports.filter((r) => r.status !== 'ok')).toEqual([]);
    fs.close();
  });

  it('reads all four files on a kernel with irq PSI', async () => {
    const { sample } = await readOnce(createPressureCollector(), join(fixtures, 'server'));
    expect(sample?.irq?.full?.totalUs).toBe(123456);
  });

  it('yields no sample and absent reports on a kernel without PSI', async () => {
    const { sample, reports } = await readOnce(createPressureCollector(), join(fixtures, 'nopsi'));
    expect(sample).toBeUndefined();
    expect(reports.map((r) => `${r.source} ${r.status}`)).toEqual([
      'proc/pressure/cpu absent',
      'proc/pressure/memory absent',
      'proc/pressure/io absent',
      'proc/pressure/irq absent',
    ]);
  });

  it('reports EOPNOTSUPP as "PSI disabled"', async () => {
    const log = new SourceLog(new PsiDisabledFs(host));
    expect(await createPressureCollector().read(log)).toBeUndefined();
    expect(log.reports).toContainEqual({ source: 'proc/pressure/cpu', status: 'absent', reason: 'PSI disabled' });
    expect(log.reports).toHaveLength(4);
  });

  it('reports broken files as failed, naming the file, and never throws', async () => {
    await expectCorruptionReported(createPressureCollector, host, 'proc/pressure/memory');
  });
});
