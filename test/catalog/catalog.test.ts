import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuMetrics } from '../../src/catalog/cpu.js';
import { diskMetrics } from '../../src/catalog/disk.js';
import { renderMetricsDoc } from '../../src/catalog/doc.js';
import { filesystemMetrics } from '../../src/catalog/filesystem.js';
import { catalog, isMetricName, type MetricName } from '../../src/catalog/index.js';
import { memoryMetrics } from '../../src/catalog/memory.js';
import { networkMetrics } from '../../src/catalog/network.js';
import { metricInstances, RESOURCES } from '../../src/model/frame.js';

describe('metric catalog', () => {
  it('has unique names, each prefixed by a known family and documented', () => {
    const names = catalog.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of catalog) {
      expect(m.name).toMatch(
        /^((cpu|memory|disk|net|tcp|fs|fd|tasks|conntrack)|cgroup\.(cpu|memory|io|pids))\.[a-z0-9_]+$/,
      );
      expect(RESOURCES).toContain(m.resource);
      expect(m.description.length).toBeGreaterThan(10);
      expect(m.source.length).toBeGreaterThan(3);
      expect(m.formula.length).toBeGreaterThan(2);
    }
  });

  it('docs/metrics.md is generated from the catalog (run `npm run docs:metrics` after changing it)', () => {
    const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderMetricsDoc());
  });

  it('catalogues every cpu.*, memory.*, disk.*, net.* and fs.* metric in the file named after its family', () => {
    const files: [prefix: string, file: readonly { name: string }[]][] = [
      ['cpu.', cpuMetrics],
      ['memory.', memoryMetrics],
      ['disk.', diskMetrics],
      ['net.', networkMetrics.filter((m) => !m.name.startsWith('tcp.'))],
      ['fs.', filesystemMetrics],
    ];
    for (const [prefix, file] of files) {
      const inFile = file.map((m) => m.name).sort();
      expect(inFile.every((name) => name.startsWith(prefix))).toBe(true);
      expect(inFile).toEqual(
        catalog
          .map((m) => m.name)
          .filter((name) => name.startsWith(prefix))
          .sort(),
      );
    }
    expect(diskMetrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['disk.psi_some', 'disk.psi_full', 'disk.blocked_tasks']),
    );
  });

  it('types metric names: a catalog name is a MetricName, a misspelt one is refused by tsc and at run time', () => {
    const name: MetricName = 'disk.psi_full';
    // @ts-expect-error not in the catalog
    const misspelt: MetricName = 'disk.psi_ful';
    expect(isMetricName(name)).toBe(true);
    expect(isMetricName(misspelt)).toBe(false);
    expect(isMetricName('')).toBe(false);
  });

  it('reads a frame metric by a typed name: a misspelt one is refused by tsc', () => {
    const metrics = { 'cpu.utilization': { '': 0.5 } };
    expect(metricInstances(metrics, 'cpu.utilization')?.['']).toBe(0.5);
    // @ts-expect-error not in the catalog
    expect(metricInstances(metrics, 'cpu.utilisation')).toBeUndefined();
  });
});
