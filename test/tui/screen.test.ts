import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/model/frame.js';
import { renderScreen } from '../../src/tui/view/screen.js';
import { cell, cpuFinding, frame, model, plain, proc } from './frames.js';

const SGR = /\x1b\[[0-9;]*m/g;
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';

function screen(frames: Frame[], ui = {}, opts = plain, extra = {}): string[] {
  return renderScreen(model(frames, ui, extra), opts);
}

function text(lines: string[]): string {
  return lines.join('\n');
}

/** The grid row of a resource instance (the label column, after the selection marker). */
function gridRow(lines: string[], label: string): string {
  const line = lines.find((l) => l.replace(SGR, '').slice(2).startsWith(`${label} `));
  if (line === undefined) throw new Error(`no grid row "${label}" in:\n${text(lines)}`);
  return line;
}

function lineWith(lines: string[], needle: string): string {
  const line = lines.find((l) => l.includes(needle));
  if (line === undefined) throw new Error(`no line with "${needle}" in:\n${text(lines)}`);
  return line;
}

describe('renderScreen: content', () => {
  const frames = [frame(0), frame(1), frame(2)];

  it('fills the terminal: one line per row, none wider than the terminal', () => {
    const lines = screen(frames);
    expect(lines).toHaveLength(40);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(120);
  });

  it('heads with host, kernel, uptime, interval, load with its trend, source, time and live state', () => {
    const [first, second] = screen(frames);
    expect(first).toMatch(/web-1 +kernel 6\.1\.0-28-amd64 +up 3d4h +2 CPUs +every 1s/);
    expect(second).toContain('load 3.10 1.20 0.80 ↑');
    expect(second).toContain('local');
    expect(second).toMatch(/\d\d:\d\d:02 +LIVE/);
  });

  it('states the interval as --interval takes it, a sub-second one in milliseconds', () => {
    expect(screen(frames, {}, plain, { intervalMs: 500 })[0]).toMatch(/every 500ms/);
    expect(screen(frames, {}, plain, { intervalMs: 2000 })[0]).toMatch(/every 2s/);
  });

  it('shows a USE row per resource instance with each cell value, and gaps as gaps', () => {
    const lines = screen(frames);
    expect(gridRow(lines, 'cpu')).toMatch(/cpu +97%.* 240%.* gap/);
    expect(gridRow(lines, 'memory')).toMatch(/memory +42%.* n\/a/);
    expect(gridRow(lines, 'disk vda')).toContain('78%');
    expect(gridRow(lines, 'net eth0')).toContain('1.5Mb/s');
    expect(gridRow(lines, 'fs /')).toContain('35%');
  });

  it('marks statuses with a letter when there is no colour', () => {
    expect(gridRow(screen(frames), 'cpu')).toMatch(/97%C/);
    expect(gridRow(screen(frames), 'disk vda')).toMatch(/78%W/);
    expect(gridRow(screen(frames), 'memory')).toMatch(/n\/a\?/);
  });

  it('draws one sparkline column per time slice of the last minute', () => {
    const many = Array.from({ length: 60 }, (_, i) => frame(i));
    const row = gridRow(screen(many), 'disk vda');
    expect(row).toMatch(/78%W▆{25} /);
    const afterGap = [...many.slice(0, 20), ...many.slice(40)];
    expect(gridRow(screen(afterGap), 'disk vda')).toMatch(/78%W▆{8,9} {7,9}▆{8,9} /);
  });

  it('lists findings by severity, with since, evidence and next commands, resolved ones last', () => {
    const lines = screen(frames);
    const crit = lines.findIndex((l) => l.includes('CRIT'));
    const warn = lines.findIndex((l) => l.includes('WARN'));
    const resolved = lines.findIndex((l) => l.includes('resolved 2m'));
    expect(crit).toBeGreaterThan(0);
    expect(warn).toBeGreaterThan(crit);
    expect(resolved).toBeGreaterThan(warn);
    expect(lines[crit]).toContain('run queue 2.4 per CPU (threshold 2)');
    expect(lines[crit]).toMatch(/since 11:56:48 \(3m1[24]s\)|since \d\d:\d\d:\d\d \(3m1[24]s\)/);
    expect(lines[crit + 1]).toContain('stress-ng-cpu(4213) cpu 98%');
    expect(lines[crit + 1]).toContain('next: mpstat -P ALL 1; pidstat -u 1');
  });

  it('lists processes sorted by CPU by default, in the chosen order after s', () => {
    const byCpu = screen(frames);
    expect(byCpu.findIndex((l) => l.includes('stress-ng-cpu  /usr'))).toBeLessThan(
      byCpu.findIndex((l) => l.includes('postgres  /usr')),
    );
    const byMemory = screen(frames, { sort: 'memory' });
    expect(byMemory.findIndex((l) => l.includes('postgres  /usr'))).toBeLessThan(
      byMemory.findIndex((l) => l.includes('stress-ng-cpu  /usr')),
    );
    expect(text(byMemory)).toContain('sort memory (s)');
  });

  it('filters processes by name', () => {
    const lines = screen(frames, { filter: 'post' });
    expect(text(lines)).toContain('postgres  /usr');
    expect(text(lines)).not.toContain('stress-ng-cpu  /usr');
    expect(text(lines)).toContain('filter "post"');
  });

  it('shows per-CPU rows on c, from the metrics when no rule covers single CPUs', () => {
    expect(text(screen(frames))).not.toContain(' cpu0');
    const lines = screen(frames, { perCpu: true });
    expect(lineWith(lines, ' cpu0 ')).toContain('99%');
    expect(lineWith(lines, ' cpu1 ')).toContain('95%');
  });

  it('says when the source has no USE evaluation', () => {
    expect(text(screen([frame(1, { use: [], findings: [] })]))).toContain('no USE evaluation');
  });

  it('shows the header and a collecting state before the first frame', () => {
    const lines = screen([]);
    expect(lines[1]).toContain('collecting…');
    expect(text(lines)).toContain('collecting the first sample');
  });

  it('says PAUSED and how many frames arrived since', () => {
    const lines = screen(frames, { paused: true }, plain, { missed: 3 });
    expect(lines[1]).toContain('PAUSED (3 new frames)');
    expect(lines.at(-1)).toContain('space resume');
  });

  it('shows the connection state of a remote source and its detail', () => {
    const lines = screen(frames, {}, plain, {
      source: { kind: 'remote', label: 'ws://db-1:9733/feed' },
      connection: 'reconnecting',
      connectionDetail: 'ECONNREFUSED',
    });
    expect(lines[1]).toMatch(/ws:\/\/db-1:9733\/feed \(reconnecting\) .* STALE/);
    expect(lines.at(-1)).toContain('ECONNREFUSED');
  });
});

describe('renderScreen: pages', () => {
  const frames = [frame(1)];

  it('shows the help page on ?', () => {
    const t = text(screen(frames, { help: true }));
    expect(t).toContain('HELP');
    expect(t).toMatch(/space +pause \/ resume/);
    expect(t).toContain('Legend');
  });

  it('details a resource: its cells, metrics with descriptions, findings', () => {
    const t = text(screen(frames, { detail: { kind: 'resource', resource: 'cpu', instance: '' } }));
    expect(t).toContain('DETAIL cpu');
    expect(t).toMatch(/saturation +240% +critical +finding: critical firing +cpu\.runqueue_per_cpu/);
    expect(t).toMatch(/errors +gap .*CPU errors need MCE\/EDAC counters/);
    expect(t).toMatch(/cpu\.load1 +3\.1 +Load average over 1 minute/);
    expect(t).toContain('run queue 2.4 per CPU');
    // The rows with and without a finding keep their metric or reason in one column.
    const rows = t.split('\n').filter((l) => /^ +(utilization|saturation|errors) /.test(l));
    const reasonAt = (dimension: string, reason: string) =>
      rows.find((l) => l.trimStart().startsWith(dimension))!.indexOf(reason);
    expect(reasonAt('utilization', 'cpu.utilization')).toBe(reasonAt('saturation', 'cpu.runqueue_per_cpu'));
    expect(reasonAt('errors', 'CPU errors')).toBe(reasonAt('saturation', 'cpu.runqueue_per_cpu'));
  });

  it('says next to an ok cell that a finding on it is pending', () => {
    const pending = {
      ...cpuFinding,
      id: 'cpu.utilization@',
      rule: 'cpu.utilization',
      dimension: 'utilization' as const,
      state: 'pending' as const,
    };
    const t = text(
      screen([frame(1, { findings: [pending] })], { detail: { kind: 'resource', resource: 'cpu', instance: '' } }),
    );
    expect(t).toMatch(/utilization +97% +\S+ +finding: critical pending/);
  });

  it('details a finding: peak, value at firing, now, clearing, and the culprits next to the current top', () => {
    const fired = {
      ...cpuFinding,
      evidence: {
        ...cpuFinding.evidence,
        value: 0.9,
        peak: 2.4,
        unit: 'ratio',
        firedAt: cpuFinding.since + 10_000,
        firedValue: 2.1,
        clearingSince: cpuFinding.since + 60_000,
        clearForMs: 60_000,
        rankedBy: 'run_delay',
        culprits: { ts: cpuFinding.since + 10_000, processes: [proc(4000, 'make', { runDelay: 1.5 })] },
        processes: [proc(4213, 'sshd', { runDelay: 0.02 })],
      },
    };
    const t = text(screen([frame(1, { findings: [fired] })], { detail: { kind: 'finding', finding: fired } }));
    expect(t).toMatch(
      /peak 240%, 210% when it fired at \d\d:\d\d:\d\d, now 90%; clearing: back at its clear level since/,
    );
    expect(t).toMatch(/Culprits when it fired at \d\d:\d\d:\d\d, ranked by run delay/);
    expect(t).toMatch(/4000 R run delay 1\.50 threads waiting +make/);
    expect(t).toMatch(/Top processes now, ranked by run delay/);
    expect(t).toMatch(/4213 R run delay 0\.02 threads waiting +sshd/);
  });

  it("names an OOM finding's victims, with their memory, in the list and in the detail", () => {
    const oom = {
      ...cpuFinding,
      id: 'cgroup.memory.errors.oom_kill@/system.slice/x.service',
      rule: 'cgroup.memory.errors.oom_kill',
      resource: 'memory' as const,
      dimension: 'errors' as const,
      instance: '/system.slice/x.service',
      summary: 'x.service: 1 processes killed by the OOM killer',
      evidence: {
        ...cpuFinding.evidence,
        processes: [],
        victims: [{ pid: 1234, name: 'stress-ng-vm', ts: cpuFinding.since, rssBytes: 28_508_160 }],
      },
    };
    const list = text(screen([frame(1, { findings: [oom] })], {}, plain, { rows: 40, cols: 160 }));
    expect(list).toContain('killed: stress-ng-vm (1234)');
    const detail = text(screen([frame(1, { findings: [oom] })], { detail: { kind: 'finding', finding: oom } }));
    expect(detail).toContain('Killed by the OOM killer (kernel log)');
    expect(detail).toMatch(/\d\d:\d\d:\d\d +stress-ng-vm \(1234\) +rss 27\.2M/);
  });

  it('details a finding with rule thresholds and explain text when rules are known', () => {
    const rules = {
      rules: [
        {
          id: 'cpu.saturation.runqueue',
          resource: 'cpu' as const,
          dimension: 'saturation' as const,
          metric: 'cpu.runqueue_per_cpu',
          direction: 'above' as const,
          warn: 1,
          crit: 2,
          forMs: 10_000,
          summary: 'run queue {value}',
          explain: 'More runnable threads than CPUs: threads wait for a CPU.',
          next: [],
        },
      ],
      thresholdsFor: () => ({ warn: 1, crit: 2, clear: 0.8 }),
    };
    const t = text(screen(frames, { detail: { kind: 'finding', finding: cpuFinding } }, plain, { rules }));
    expect(t).toContain('CRITICAL firing');
    expect(t).toContain('now 240%');
    expect(t).toContain('cpu.runqueue_per_cpu above warn 100% crit 200% clear 80% for 10s');
    expect(t).toContain('More runnable threads than CPUs');
    expect(t).toMatch(/4213 R +cpu 98% +stress-ng-cpu/);
    expect(t).toContain('$ mpstat -P ALL 1');
  });

  it('details a finding from its evidence alone without a checklist', () => {
    const t = text(screen(frames, { detail: { kind: 'finding', finding: cpuFinding } }));
    expect(t).toContain('threshold 2');
    expect(t).toContain('stress-ng-cpu');
  });

  it('details a process', () => {
    const t = text(screen(frames, { detail: { kind: 'process', process: proc(812, 'postgres') } }));
    expect(t).toMatch(/rss +900M/);
    expect(t).toMatch(/fds +300/);
  });
});

describe('renderScreen: what a user asked to read at a glance', () => {
  const small = { ...plain, cols: 80, rows: 24 };

  it('at 80x24 the footer keeps "q quit" and "? help", live and in a replay, beside a notice too', () => {
    const frames = [frame(1)];
    const footers = [
      screen(frames, {}, small),
      screen(frames, {}, small, { notice: 'source ended' }),
      screen(frames, {}, small, { replay: { speed: 1, atEnd: false }, source: { kind: 'replay', label: '/rec' } }),
      screen(frames, {}, small, {
        replay: { speed: 1, atEnd: true },
        source: { kind: 'replay', label: '/rec' },
        warnings: ['/rec/seg-1.ndjson.gz: damaged at byte 40'],
      }),
    ].map((lines) => lines.at(-1)!);
    for (const footer of footers) {
      expect(footer.trimEnd()).toMatch(/q quit .*\? help$/);
      expect(stringWidth(footer)).toBeLessThanOrEqual(80);
    }
  });

  it('a replay held at its end says so in the header', () => {
    const replay = { replay: { speed: 1, atEnd: true }, source: { kind: 'replay' as const, label: '/rec' } };
    expect(screen([frame(1)], {}, plain, replay)[1]).toContain('REPLAY ×1 END OF RECORDING');
  });

  it('a host-wide finding\'s detail is titled by its rule, with no trailing "@"', () => {
    const title = screen([frame(1)], { detail: { kind: 'finding', finding: cpuFinding } })[2];
    expect(title).toContain('DETAIL cpu.saturation.runqueue ');
    expect(title).not.toContain('runqueue@');
  });

  it('saturation cells name their measure: pressure and queue depth are told apart', () => {
    const f = frame(1, {
      use: [
        cell('disk', '', 'saturation', { metric: 'disk.psi_full', value: 0, unit: 'ratio' }),
        cell('disk', 'vda', 'saturation', { metric: 'disk.queue_depth', value: 0.1, unit: 'count' }),
        cell('cpu', '', 'saturation', { metric: 'cpu.run_delay_per_cpu', value: 0.3, unit: 'ratio' }),
      ],
    });
    const lines = screen([f], {}, small);
    expect(gridRow(lines, 'disk')).toMatch(/ 0% +psi-f /);
    expect(gridRow(lines, 'disk vda')).toMatch(/ 0\.1 +queue /);
    expect(gridRow(lines, 'cpu')).toMatch(/ 30% +runq /);
  });
});

describe('renderScreen: terminals', () => {
  const frames = [frame(0), frame(1)];

  it('colours critical cells red and warning cells yellow', () => {
    const lines = screen(frames, {}, { ...plain, color: true });
    expect(gridRow(lines, 'cpu')).toContain(`${RED}    97%`);
    expect(gridRow(lines, 'disk vda')).toContain(`${YELLOW}    78%`);
    expect(lineWith(lines, 'CRIT')).toContain(`${RED}CRIT`);
  });

  it('highlights processes in D state', () => {
    const line = lineWith(screen(frames, {}, { ...plain, color: true }), 'kworker/u4:2');
    expect(line).toContain(`${RED}D`);
  });

  it('sends no colour codes when colour is off', () => {
    expect(text(screen(frames))).not.toContain('\x1b');
  });

  it('uses ASCII sparklines, rules and arrows on a non-UTF-8 terminal', () => {
    const lines = screen(
      Array.from({ length: 60 }, (_, i) => frame(i)),
      {},
      { ...plain, unicode: false },
    );
    expect(text(lines)).not.toMatch(/[^\x00-\x7f]/);
    expect(lines[1]).toContain('load 3.10 1.20 0.80 ^');
    expect(text(lines)).toContain('- USE ---');
    expect(gridRow(lines, 'disk vda')).toMatch(/78%W\+{25} /);
  });

  it('fits an 80x24 terminal', () => {
    const lines = screen(frames, {}, { ...plain, cols: 80, rows: 24 });
    expect(lines).toHaveLength(24);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    expect(text(lines)).toContain('CRIT');
    expect(text(lines)).toContain('stress-ng-cpu');
  });

  it('says the terminal is too small below 80x24, in one line', () => {
    const lines = screen(frames, {}, { ...plain, cols: 60, rows: 20 });
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('terminal too small (60x20): usewatch top needs 80x24');
    expect(screen(frames, {}, { ...plain, cols: 30, rows: 10 })[0]).toBe('terminal too small (30x10): u…');
    expect(lines.slice(1).every((l) => l === '')).toBe(true);
    expect(screen(frames, {}, { ...plain, cols: 100, rows: 23 })[0]).toContain('terminal too small (100x23)');
  });
});

describe('renderScreen: hostile process names', () => {
  const hostile = [
    'evil\x1b[2J\x1b[H\x1b[31mred',
    'two\nlines\rback',
    'x'.repeat(5000),
    '数据库服务器数据库服务器数据库服务器数据库服务器数据库服务器数据库服务器',
    '👨‍👩‍👧‍👦🔥💥👨‍👩‍👧‍👦🔥💥👨‍👩‍👧‍👦🔥💥👨‍👩‍👧‍👦🔥💥👨‍👩‍👧‍👦🔥💥👨‍👩‍👧‍👦🔥💥',
    'title\x1b]0;pwned\x07',
    'rtl\u202egnp.exe',
    '\x9b2J',
  ];

  function hostileFrame(names: string[]): Frame {
    const processes = names.map((name, i) => proc(1000 + i, name, { cmd: `${name} ${name}`, user: name, state: 'D' }));
    const finding = {
      ...cpuFinding,
      summary: names[0] ?? '',
      evidence: { ...cpuFinding.evidence, processes },
      next: names,
    };
    return frame(1, { processes, findings: [finding], host: { ...frame(1).host, hostname: names[1] ?? 'h' } });
  }

  function checkLayout(lines: string[], cols: number, color: boolean): void {
    for (const line of lines) {
      expect(stringWidth(line)).toBeLessThanOrEqual(cols);
      const bare = line.replace(SGR, '');
      expect(bare).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
      if (!color) expect(line).toBe(bare);
    }
  }

  it('cannot break the layout or reach the terminal, on every page', () => {
    const f = hostileFrame(hostile);
    const pages = [
      {},
      { sort: 'memory' as const },
      { detail: { kind: 'finding' as const, finding: f.findings[0] } },
      { detail: { kind: 'process' as const, process: f.processes[0] } },
    ];
    for (const ui of pages) {
      for (const opts of [plain, { ...plain, color: true }, { ...plain, cols: 80, rows: 24, unicode: false }]) {
        const lines = renderScreen(model([f], ui), opts);
        expect(lines).toHaveLength(opts.rows);
        checkLayout(lines, opts.cols, opts.color);
      }
    }
  });

  it('holds for arbitrary names', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { minLength: 1, maxLength: 5 }), (names) => {
        const lines = renderScreen(model([hostileFrame(names)]), { ...plain, color: true });
        checkLayout(lines, 120, true);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps the columns after the name aligned', () => {
    const lines = renderScreen(model([hostileFrame(hostile)], { sort: 'cpu' }), plain);
    const rows = lines.filter((l) => / D +10\.0 /.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const cpuColumn = rows.map((l) => stringWidth(l.slice(0, l.indexOf(' D ') + 2)));
    expect(new Set(cpuColumn).size).toBe(1);
  });
});
