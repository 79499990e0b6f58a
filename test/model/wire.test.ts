import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameAsObjectsJson, type ProcessEntry, serializeFrame } from '../../src/model/frame.js';
import { expandTables, fromTable, PROCESS_COLUMNS, toTable } from '../../src/model/wire.js';
import { cpuFinding, frame, proc, stress } from '../tui/frames.js';

/** A frame whose finding names three processes, as evidence usually does. */
function busyFrame() {
  const evidence = { ...cpuFinding.evidence, processes: [stress, proc(7, 'postgres'), proc(9, 'nginx')] };
  return frame(7, { findings: [{ ...cpuFinding, evidence }] });
}

const processArb: fc.Arbitrary<ProcessEntry> = fc.record(
  {
    pid: fc.nat(),
    name: fc.string(),
    cmd: fc.string(),
    user: fc.string(),
    state: fc.constantFrom('R', 'S', 'D', 'Z'),
    cpu: fc.double({ noNaN: true, noDefaultInfinity: true }),
    rssBytes: fc.nat(),
    threads: fc.nat(),
    rssGrowthBps: fc.integer(),
    readBps: fc.nat(),
    writeBps: fc.nat(),
    runDelay: fc.double({ min: 0, max: 100, noNaN: true }),
    majorFaultsPs: fc.nat(),
    fds: fc.nat(),
    fdLimit: fc.nat(),
  },
  { requiredKeys: ['pid', 'name', 'cmd', 'user', 'state', 'cpu', 'rssBytes', 'threads'] },
);

describe('frame wire form', () => {
  it('a table gives back exactly the objects, absent fields staying absent', () => {
    fc.assert(
      fc.property(fc.array(processArb, { maxLength: 30 }), (processes) => {
        const sent = JSON.parse(JSON.stringify(toTable(processes, PROCESS_COLUMNS)));
        expect(fromTable(sent)).toEqual({ ok: true, items: JSON.parse(JSON.stringify(processes)) });
      }),
    );
  });

  it('a serialised frame reads back as the frame, with findings, evidence and gaps, and is smaller', () => {
    const f = busyFrame();
    const sent = JSON.parse(serializeFrame(f));
    expect(sent.use).toHaveProperty('rows');
    expect(sent.findings[0].evidence.processes).toHaveProperty('cols');
    expect(expandTables(sent)).toBeUndefined();
    const { counters: _counters, ...expected } = f;
    expect(sent).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(serializeFrame(f).length).toBeLessThan(0.85 * frameAsObjectsJson(f).length);
  });

  it('names the section and row of a damaged table', () => {
    const sent = JSON.parse(serializeFrame(busyFrame()));
    sent.findings[0].evidence.processes.rows[1] = 'pid 7';
    expect(expandTables(sent)).toBe('findings.0.evidence.processes: row 1 is not an array');
    const long = JSON.parse(serializeFrame(busyFrame()));
    long.use.rows[0] = Array(20).fill(1);
    expect(expandTables(long)).toMatch(/^use: row 0 has 20 values for 8 columns/);
  });

  it('leaves lists sent as objects (schema 1, a jq cut) as they are', () => {
    const plain = JSON.parse(frameAsObjectsJson(frame(7)));
    const before = structuredClone(plain);
    expect(expandTables(plain)).toBeUndefined();
    expect(plain).toEqual(before);
  });

  it('sends a one-item list as the object itself, which is smaller than a table', () => {
    const sent = JSON.parse(serializeFrame(frame(7, { processes: [stress] })));
    expect(sent.processes).toEqual([JSON.parse(JSON.stringify(stress))]);
  });
});

describe('a hostile table', () => {
  it('cannot change the prototype of the objects it decodes to', () => {
    const table = JSON.parse('{"cols":["pid","__proto__"],"rows":[[1,{"polluted":true}]]}');
    const decoded = fromTable(table);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const [item] = decoded.items;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect((item as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(item)).toEqual(['pid']);
  });
});
