import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/frame.js';
import { summaryLine } from '../../src/replay/summary.js';
import { makeFrame } from '../recorder/helpers.js';

describe('replay --format summary', () => {
  it('shows local time, CPU and memory in percent, and the active findings only', () => {
    const ts = new Date(2026, 10, 25, 3, 12, 5).getTime();
    const finding = (id: string, rule: string, instance: string, state: Finding['state']) =>
      ({ id, rule, instance, state, severity: 'critical' }) as Finding;
    const frame = {
      ...makeFrame(7, ts),
      findings: [
        finding('cpu.saturation.runqueue@', 'cpu.saturation.runqueue', '', 'firing'),
        finding('disk.utilization@vda', 'disk.utilization', 'vda', 'pending'),
        finding('memory.psi@', 'memory.psi', '', 'resolved'),
      ],
    };
    expect(summaryLine(frame)).toBe(
      '2026-11-25 03:12:05  cpu     7%  mem    42%  cpu.saturation.runqueue critical, disk.utilization@vda critical (pending)',
    );
    expect(summaryLine({ ...makeFrame(1, ts), metrics: {} })).toBe(
      '2026-11-25 03:12:05  cpu      -  mem      -  no findings',
    );
  });
});
