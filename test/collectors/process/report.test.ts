import { describe, expect, it } from 'vitest';
import { summarise } from '../../../collectors/process/report.js';
import { Tallies } from '../../../collectors/process/tally.js';
import { ProcFs, SourceLog } from '../../../collectors/procfs.js';
import { ParseError } from '../../../collectors/types.js';

function reportOf(fill: (t: Tallies) => void, listed = 10, detailed = 4, ioEverAllowed = true) {
  const tallies = new Tallies();
  fill(tallies);
  const log = new SourceLog(new ProcFs('/nonexistent'));
  summarise(log, listed, detailed, tallies, ioEverAllowed);
  return log.reports;
}

describe('summarise', () => {
  it('makes one ok report with the counts on a tick where everything was read', () => {
    expect(reportOf(() => {})).toEqual([
      { source: 'proc/[pid]', status: 'ok', reason: '10 processes, 4 read in detail' },
    ]);
  });

  it('counts per-pid denials in the ok report instead of one report per pid', () => {
    const reports = reportOf((t) => {
      t.io.denied = 2;
      t.fd.denied = 1;
      t.stat.denied = 3;
    });
    expect(reports).toEqual([
      {
        source: 'proc/[pid]',
        status: 'ok',
        reason: '10 processes, 4 read in detail; io denied for 2, fd denied for 1, stat denied for 3',
      },
    ]);
  });

  it('reports io as denied when no process io was ever allowed', () => {
    const reports = reportOf((t) => (t.io.denied = 4), 10, 4, false);
    expect(reports[0]).toEqual({
      source: 'proc/[pid]/io',
      status: 'denied',
      reason: 'EACCES for all 4 processes tried (per-process I/O needs root or CAP_SYS_PTRACE)',
    });
  });

  it('reports failures per file, naming the first', () => {
    const reports = reportOf((t) => {
      t.status.failRead('proc/9/status', 'EIO');
      t.status.fail('proc/10/status', new ParseError('status: neither Name: nor Uid: line'));
    });
    expect(reports).toContainEqual({
      source: 'proc/[pid]/status',
      status: 'failed',
      reason: '2 unreadable, first: proc/9/status: EIO',
    });
  });

  it('reports a proc without a readable process directory as absent', () => {
    expect(reportOf(() => {}, 0, 0)).toEqual([
      { source: 'proc/[pid]', status: 'absent', reason: 'no readable process directory under proc' },
    ]);
  });
});
