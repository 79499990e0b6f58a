import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogByName, type Unit } from '../../src/catalog/index.js';
import { formatProblem } from '../../src/checklist/load.js';
import { parseChecklistSource } from '../../src/checklist/parse-file.js';
import { formatThreshold, parseThreshold } from '../../src/checklist/threshold.js';

const metric = (name: string) => catalogByName.get(name)!;
const value = (raw: number | string, name: string) => {
  const r = parseThreshold(raw, metric(name));
  return r.ok ? r.value : r.message;
};

describe('thresholds with units', () => {
  it('reads each unit in its usual forms and bare numbers in the base unit', () => {
    expect(value('70%', 'cpu.utilization')).toBe(0.7);
    expect(value(0.7, 'cpu.utilization')).toBe(0.7);
    expect(value('0.5%', 'net.drop_ratio')).toBe(0.005);
    expect(value('200%', 'cpu.load1_per_cpu')).toBe(2);
    expect(value(2, 'cpu.load1_per_cpu')).toBe(2);
    expect(value('50ms', 'disk.await_ms')).toBe(50);
    expect(value('1.5s', 'disk.await_ms')).toBe(1500);
    expect(value('500us', 'disk.await_ms')).toBe(0.5);
    expect(value(20, 'disk.await_ms')).toBe(20);
    expect(value('10MiB/s', 'disk.read_bps')).toBe(10 * 1024 * 1024);
    expect(value('10 MB/s', 'disk.read_bps')).toBe(10_000_000);
    expect(value('1G', 'memory.available_bytes')).toBe(1024 ** 3);
    expect(value('1Gbit/s', 'net.speed_bps')).toBe(1e9);
    expect(value('100Mbps', 'net.speed_bps')).toBe(1e8);
    expect(value('8h', 'fs.hours_to_full')).toBe(8);
    expect(value('30m', 'fs.hours_to_full')).toBe(0.5);
    expect(value('2d', 'fs.hours_to_full')).toBe(48);
    expect(value('500/s', 'memory.major_faults_ps')).toBe(500);
    expect(value('30/min', 'memory.major_faults_ps')).toBe(0.5);
  });

  it('refuses a value outside the range of the metric, naming the forms it accepts', () => {
    expect(value(70, 'cpu.utilization')).toBe(
      '70 is above 1 (a bare ratio is a share 0–1): for 70 percent write "70%" or 0.7; cpu.utilization accepts "70%" or 0.7; a bare number is a share 0–1 (0–100%)',
    );
    expect(value('120%', 'cpu.utilization')).toMatch(/^120% is above 100%; /);
    expect(value(-5, 'disk.await_ms')).toMatch(/^-5 is negative; disk.await_ms accepts "50ms", "1.5s", "500us" or 50/);
    expect(value('-1s', 'disk.await_ms')).toMatch(/^-1s is negative/);
    expect(value('50%', 'disk.await_ms')).toMatch(
      /^a percentage fits ratio metrics only, and disk.await_ms is in milliseconds/,
    );
    expect(value('10MiB', 'disk.read_bps')).toMatch(/^unit "MiB" does not fit disk.read_bps \(bytes per second\)/);
    expect(value('fast', 'disk.read_bps')).toMatch(/^"fast" is not a number with a unit/);
    expect(value('3%', 'disk.blocked_tasks')).toMatch(/^a percentage fits ratio metrics only/);
  });

  it('prints a threshold in the unit of its value, in a form that reads back as the same number', () => {
    const printed: [number, Unit, string][] = [
      [0.7, 'ratio', '70%'],
      [0.005, 'ratio', '0.5%'],
      [1048576, 'bytes_per_s', '1MiB/s'],
      [1_000_000, 'bytes_per_s', '1MB/s'],
      [1_000_001, 'bytes_per_s', '1000001B/s'],
      [20, 'ms', '20ms'],
      [1500, 'ms', '1.5s'],
      [8, 'hours', '8h'],
      [3, 'count', '3'],
    ];
    expect(printed.map(([v, unit]) => formatThreshold(v, unit))).toEqual(printed.map(([, , text]) => text));
    const units = ['ratio', 'ms', 'bytes', 'bytes_per_s', 'bits_per_s', 'per_s', 'hours', 'seconds', 'count'] as const;
    const def = (unit: Unit) => ({ name: 'm', unit, canExceedOne: true as const });
    fc.assert(
      fc.property(fc.constantFrom(...units), fc.double({ min: 0, max: 1e12, noNaN: true }), (unit, v) => {
        const n = Number(v.toPrecision(6));
        const back = parseThreshold(formatThreshold(n, unit), def(unit));
        expect(back.ok && Math.abs(back.value - n) <= Math.abs(n) * 1e-9).toBe(true);
      }),
    );
  });

  it('checklist files: a percent override is read as written, a bare 70 on a ratio is refused at its position', () => {
    const text = `rules:
  - id: my.cpu
    resource: cpu
    dimension: utilization
    metric: cpu.utilization
    warn: 70
    crit: 90%
    summary: s
    explain: e
`;
    const { problems, parsed } = parseChecklistSource(text, 'site.yaml');
    expect(problems.map(formatProblem)).toEqual([
      'site.yaml:6:11: rules[0].warn: 70 is above 1 (a bare ratio is a share 0–1): for 70 percent write "70%" or 0.7; cpu.utilization accepts "70%" or 0.7; a bare number is a share 0–1 (0–100%)',
    ]);
    expect(parsed.rules).toEqual([]);
    const fixed = parseChecklistSource(text.replace('warn: 70', 'warn: 70%'), 'site.yaml');
    expect(fixed.problems).toEqual([]);
  });
});
