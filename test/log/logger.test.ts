import { describe, expect, test } from 'vitest';
import { createLogger, detectLogFormat, prettyLine } from '../../src/log/logger.js';
import { RepeatedProblemLog } from '../../src/log/repeats.js';

function capture(format: 'json' | 'journal' | 'pretty') {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format, color: false, write: (l) => lines.push(l) });
  return { log, lines };
}

describe('formats', () => {
  test('journal: a syslog priority prefix per level, JSON without time, pid or hostname', () => {
    const { log, lines } = capture('journal');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>', '<2>']);
    const rec = JSON.parse(lines[1].slice(3));
    expect(rec).toEqual({ level: 30, msg: 'i' });
  });

  test('json: one object a line with an ISO time', () => {
    const { log, lines } = capture('json');
    log.info({ source: 'proc/1/io' }, 'hello');
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({ level: 30, msg: 'hello', source: 'proc/1/io' });
    expect(rec.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(lines[0].endsWith('\n')).toBe(true);
  });

  test('pretty: time, level, message and fields on one line', () => {
    const { log, lines } = capture('pretty');
    log.warn({ source: 'proc/1/io', reason: 'permission denied' }, 'cannot read');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}cannot read source=proc\/1\/io reason="permission denied"\n$/);
    expect(prettyLine('not json', false)).toBe('not json');
  });

  test('journald is used only when stdout is the stream JOURNAL_STREAM names', () => {
    expect(detectLogFormat({ JOURNAL_STREAM: '1:2' }, 1)).not.toBe('journal');
  });
});

describe('repeated source problems', () => {
  test('logged once, then counted and summarised; per-pid paths collapse to one entry', () => {
    const { log, lines } = capture('json');
    let now = 0;
    const repeats = new RepeatedProblemLog(log, { summaryIntervalMs: 60_000, now: () => now });
    for (let tick = 0; tick < 30; tick++) {
      now = tick * 1000;
      repeats.observe([
        { source: `proc/${1000 + tick}/io`, status: 'denied', reason: 'EACCES' },
        { source: 'proc/pressure/irq', status: 'absent', reason: 'ENOENT' },
      ]);
    }
    const first = lines.map((l) => JSON.parse(l));
    expect(first.map((r) => [r.level, r.source, r.status])).toEqual([
      [40, 'proc/<pid>/io', 'denied'],
      [30, 'proc/pressure/irq', 'absent'],
    ]);
    now = 61_000;
    repeats.observe([{ source: 'proc/2000/io', status: 'denied', reason: 'EACCES' }]);
    const summary = JSON.parse(lines[2]);
    expect(summary.msg).toBe('repeated source problems since the last summary');
    expect(summary.problems).toEqual([
      { source: 'proc/<pid>/io', status: 'denied', count: 30, reason: 'EACCES' },
      { source: 'proc/pressure/irq', status: 'absent', count: 29, reason: 'ENOENT' },
    ]);
    expect(lines).toHaveLength(3);
  });

  test('a problem gone for a whole summary period is logged again when it comes back', () => {
    const { log, lines } = capture('json');
    let now = 0;
    const repeats = new RepeatedProblemLog(log, { summaryIntervalMs: 10_000, now: () => now });
    const stuck = [{ source: 'statfs /mnt/nfs', status: 'failed' as const, reason: 'timed out' }];
    repeats.observe(stuck);
    now = 10_000;
    repeats.observe([]); // summary (nothing repeated): forgets nothing seen in the period
    now = 20_000;
    repeats.observe([]); // the stuck mount was not seen in the last period: forgotten
    now = 21_000;
    repeats.observe(stuck);
    expect(lines.filter((l) => l.includes('cannot be read'))).toHaveLength(2);
  });
});
