import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderMetricsDoc } from '../../src/catalog/doc.js';
import { catalog } from '../../src/catalog/index.js';
import { RESOURCES } from '../../src/model/frame.js';

describe('metric catalog', () => {
  it('has unique names, each prefixed by a known family and documented', () => {
    const names = catalog.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of catalog) {
      expect(m.name).toMatch(/^(cpu|memory|disk|net|tcp|fs|fd|tasks|conntrack)\.[a-z0-9_]+$/);
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
});
