import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/model/frame.js';
import { gridRows, sortedFindings, visibleCgroups, visibleProcesses } from '../../src/tui/lists.js';
import { initialState, type Key, reduceKey, reduceReplayKey, type UiState } from '../../src/tui/state.js';
import { renderScreen, selectionContext } from '../../src/tui/view/screen.js';
import { cart, cell, cgroupFrame, frame, model, nginx, plain, throttledFinding, web } from './frames.js';

const SGR = /\x1b\[[0-9;]*m/g;
const ch = (c: string): Key => ({ name: 'char', ch: c });
const frames = [cgroupFrame(0), cgroupFrame(1), cgroupFrame(2)];
const services: Partial<UiState> = { table: 'services', focus: 'services' };

function screen(list: Frame[], ui: Partial<UiState> = {}, opts = plain): string[] {
  return renderScreen(model(list, ui), opts);
}

const ROW = /^(?:▶ | {2})(?:CRIT |crit |WARN |warn | {5})(\S+)/;

/** The rows of the services table, below its column header. */
function serviceRows(lines: string[]): string[] {
  const head = lines.findIndex((l) => /^ +NAME +/.test(l.replace(SGR, '')));
  if (head < 0) throw new Error(`no services table in:\n${lines.join('\n')}`);
  const rows: string[] = [];
  for (const line of lines.slice(head + 1)) {
    if (!ROW.test(line.replace(SGR, ''))) break;
    rows.push(line);
  }
  return rows;
}

/** The names of the services table's rows, top to bottom. */
function serviceNames(lines: string[]): string[] {
  return serviceRows(lines).map((l) => l.replace(SGR, '').match(ROW)?.[1] ?? '');
}

function serviceRow(lines: string[], name: string): string {
  const row = serviceRows(lines).find((l) => l.replace(SGR, '').match(ROW)?.[1] === name);
  if (row === undefined) throw new Error(`no services row "${name}" in:\n${lines.join('\n')}`);
  return row;
}

function lineWith(lines: string[], needle: string): string {
  const line = lines.find((l) => l.includes(needle));
  if (line === undefined) throw new Error(`no line with "${needle}" in:\n${lines.join('\n')}`);
  return line;
}

describe('services and containers section', () => {
  it('replaces the processes with the carried cgroups on v, busiest CPU first, with their figures', () => {
    const lines = screen(frames, { table: 'services' });
    expect(lineWith(lines, 'SERVICES AND CONTAINERS')).toContain('sort cpu (s)');
    expect(lines.some((l) => l.includes('PROCESSES'))).toBe(false);
    expect(serviceNames(lines)).toEqual(['web', 'nginx.service', 'shop/cart-7d/cart']);
    // 120 columns: the wide set, CPUs and share of the quota, throttling, working set and share of the limit.
    expect(lineWith(lines, ' NAME ')).toMatch(
      /NAME +KIND +CPU\* +CPU% +THR% +MEM +MEM% +RD\/s +WR\/s +P-CPU +P-MEM +P-IO +PIDS/,
    );
    expect(serviceRow(lines, 'nginx.service')).toMatch(
      /service +0\.5 +25% +5% +100M +25% +1M +0B +2% +0% +1% +12\/100/,
    );
    expect(serviceRow(lines, 'shop/cart-7d/cart')).toMatch(/container +0\.1 +5% +0% +900M +- +20M +- +- +- +30% +7$/);
  });

  it('sorts by CPU, memory, I/O, pressure and throttling, marking the sorted column', () => {
    const order = (cgroupSort: UiState['cgroupSort']) =>
      serviceNames(screen(frames, { table: 'services', cgroupSort }));
    expect(order('memory')).toEqual(['shop/cart-7d/cart', 'web', 'nginx.service']);
    expect(order('io')).toEqual(['shop/cart-7d/cart', 'web', 'nginx.service']);
    expect(order('pressure')).toEqual(['web', 'shop/cart-7d/cart', 'nginx.service']);
    expect(order('throttled')).toEqual(['web', 'nginx.service', 'shop/cart-7d/cart']);
    const header = lineWith(screen(frames, { table: 'services', cgroupSort: 'pressure' }), ' NAME ');
    expect(header).toMatch(/P-CPU\* +P-MEM\* +P-IO\*/);
    expect(lineWith(screen(frames, { table: 'services', cgroupSort: 'throttled' }), 'SERVICES')).toContain(
      'sort throttling (s)',
    );
  });

  it('marks a cgroup with an active finding by its severity, lower case while pending', () => {
    expect(serviceRow(screen(frames, { table: 'services' }), 'web')).toMatch(/^ {2}CRIT web /);
    const pending = cgroupFrame(3, { findings: [{ ...throttledFinding, state: 'pending', severity: 'warning' }] });
    expect(serviceRow(screen([pending], { table: 'services' }), 'web')).toMatch(/^ {2}warn web /);
    const both = cgroupFrame(3, {
      findings: [{ ...throttledFinding, id: 'other', state: 'pending', severity: 'warning' }, throttledFinding],
    });
    expect(serviceRow(screen([both], { table: 'services' }), 'web')).toMatch(/^ {2}CRIT web /);
    const resolved = cgroupFrame(3, { findings: [{ ...throttledFinding, state: 'resolved' }] });
    expect(serviceRow(screen([resolved], { table: 'services' }), 'web')).toMatch(/^ {7}web /);
  });

  it('fits narrow terminals: one I/O and one pressure column, and no PIDS at 80 columns', () => {
    for (const cols of [80, 100]) {
      const lines = screen(frames, { table: 'services' }, { ...plain, cols, rows: 24 });
      for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(cols);
      const header = lineWith(lines, ' NAME ');
      expect(header).toMatch(/CPU\* +CPU% +THR% +MEM +MEM% +IO\/s +PSI/);
      expect(header).not.toContain('KIND');
      expect(header.includes('PIDS')).toBe(cols === 100);
      expect(serviceRow(lines, 'web')).toMatch(/web +0\.98 +98% +60% +250M +97\.7% +5M +40%/);
    }
  });

  it('keeps the sorted column when narrowing drops columns', () => {
    const lines = screen(frames, { table: 'services', cgroupSort: 'pressure' }, { ...plain, cols: 80, rows: 24 });
    expect(lineWith(lines, ' NAME ')).toContain('PSI*');
  });

  it('says none are carried for frames from before cgroups were read, and for a sample without any', () => {
    const old = screen([frame(0), frame(1)], { table: 'services' });
    expect(old.join('\n')).toMatch(
      /SERVICES AND CONTAINERS[\s\S]*none carried: this source does not read services and containers/,
    );
    const none = screen([frame(1, { cgroups: [] })], { table: 'services' });
    expect(none.join('\n')).toContain('none carried on this sample');
    const unmatched = screen(frames, { table: 'services', filter: 'zzz' });
    expect(unmatched.join('\n')).toContain('no service or container matches');
  });

  it('filters by name or id', () => {
    expect(serviceNames(screen(frames, { table: 'services', filter: 'kubepods' }))).toEqual(['shop/cart-7d/cart']);
    expect(serviceNames(screen(frames, { table: 'services', filter: 'NGINX' }))).toEqual(['nginx.service']);
  });

  it('renders hostile names inert: no escape sequence, no new line, no column moved', () => {
    const evil = { ...nginx, name: 'evil\x1b]0;owned\x07\x1b[2J\nname\u202e\x9b31m' };
    const hostile = cgroupFrame(1, { cgroups: [evil, web, cart] });
    for (const opts of [plain, { ...plain, cols: 80, rows: 24 }]) {
      const ui = { ...services, detail: undefined };
      for (const lines of [
        screen([hostile], ui, opts),
        screen([hostile], { ...ui, detail: { kind: 'cgroup', cgroup: evil } }, opts),
      ]) {
        const joined = lines.join('\n');
        expect(joined).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
        for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(opts.cols);
      }
      expect(serviceNames(screen([hostile], ui, opts))).toContain('evil?name?');
    }
  });
});

describe('detail of a service or container', () => {
  const withFinding = (f: Frame): Frame => ({
    ...f,
    findings: [
      ...f.findings,
      {
        ...frames[0].findings[2],
        evidence: {
          ...frames[0].findings[2].evidence,
          cgroups: [{ id: web.id, name: 'web', value: 0.98, unit: 'cpus' }],
        },
      },
    ],
  });

  it('opens on enter and shows who it is, its limits, metrics, events, processes and findings', () => {
    const list = frames.map(withFinding);
    const ui = reduceKey({ ...initialState, ...services }, { name: 'enter' }, selectionContext(model(list, services)));
    expect(ui.detail).toEqual({ kind: 'cgroup', cgroup: web });
    const text = screen(list, ui, { ...plain, rows: 80 }).join('\n');
    expect(text).toContain('DETAIL container web');
    expect(text).toMatch(/kind +container \(docker\)/);
    expect(text).toMatch(/id +\/system\.slice\/docker-0f3a9c\.scope/);
    expect(text).toMatch(/cpu +1 CPU \(quota \/ period\)/);
    expect(text).toMatch(/memory\.max +256M/);
    expect(text).toMatch(/memory\.high +none/);
    expect(text).toMatch(/pids\.max +none/);
    expect(text).toMatch(/cgroup\.cpu\.throttled +60% +Share of CFS enforcement periods/);
    // One OOM kill and seven memory.max events on each of the three samples of the last minute.
    expect(text).toMatch(/OOM kills +1 +3/);
    expect(text).toMatch(/memory\.max events +7 +21/);
    expect(text).toMatch(/fork failures +- +-/);
    expect(text).toMatch(/4213 R +cpu 98% +rss 10M +stress-ng-cpu/);
    expect(text).not.toContain('postgres');
    expect(text).toContain('critical firing: web throttled in 60% of CPU periods (threshold 25%)');
    expect(text).toContain('culprit of cpu.saturation.runqueue (firing): 0.98');
  });

  it('shows a service with every limit, and says when the cgroup is no longer carried', () => {
    const text = screen(frames, { detail: { kind: 'cgroup', cgroup: nginx } }, { ...plain, rows: 80 }).join('\n');
    expect(text).toMatch(/cpu +2 CPUs \(quota \/ period\)/);
    expect(text).toMatch(/memory\.max +512M/);
    expect(text).toMatch(/memory\.high +400M/);
    expect(text).toMatch(/pids\.max +100/);
    expect(text).toMatch(/processes +3/);
    expect(text).toContain('none among them');
    const gone = cgroupFrame(3, { cgroups: [web] });
    const later = screen([gone], { detail: { kind: 'cgroup', cgroup: nginx } }, { ...plain, rows: 80 }).join('\n');
    expect(later).toContain('not carried on this sample');
    expect(later).toMatch(/memory\.max +512M/);
  });

  it('names the namespace, pod and container of a Kubernetes container', () => {
    const text = screen(frames, { detail: { kind: 'cgroup', cgroup: cart } }, { ...plain, rows: 80 }).join('\n');
    expect(text).toMatch(/namespace +shop/);
    expect(text).toMatch(/pod +cart-7d/);
    expect(text).toMatch(/container +cart/);
    expect(text).toMatch(/cpu +none/);
  });
});

describe('the process table names each process unit or container', () => {
  it('shows the carried name, else the last segment of the cgroup path, blank outside any', () => {
    const lines = screen(frames);
    expect(lineWith(lines, ' PID ')).toMatch(/FDS UNIT +COMMAND/);
    expect(lineWith(lines, '   4213 ')).toMatch(/ web +stress-ng-cpu/);
    expect(lineWith(lines, '  812')).toMatch(/ postgresql@15-m… postgres /);
    expect(lineWith(lines, '   77')).toMatch(/ - +\s{16} kworker/);
  });

  it('drops the column first on a narrow terminal, and has none for frames without cgroups', () => {
    const narrow = screen(frames, {}, { ...plain, cols: 80, rows: 24 });
    expect(lineWith(narrow, ' PID ')).not.toContain('UNIT');
    expect(lineWith(narrow, '   4213 ')).toMatch(/5 stress-ng-cpu/);
    expect(lineWith(screen([frame(0), frame(1)]), ' PID ')).not.toContain('UNIT');
  });

  it('names the unit in the process detail', () => {
    const detail = screen(frames, { detail: { kind: 'process', process: frames[2].processes[1] } }).join('\n');
    expect(detail).toMatch(/unit +postgresql@15-main\.service {2}\/system\.slice\/postgresql@15-main\.service/);
  });
});

describe('cgroup cells in the grid and findings', () => {
  const cells = cgroupFrame(2, {
    use: [
      ...frame(2).use,
      cell('cpu', web.id, 'saturation', {
        status: 'critical',
        metric: 'cgroup.cpu.throttled',
        value: 0.6,
        unit: 'ratio',
      }),
    ],
  });

  it('labels a cgroup row by its name and shows it without per-CPU rows', () => {
    const lines = screen([cells]);
    expect(lineWith(lines, '  cpu web ')).toMatch(/60%C\s*thrtl/);
    expect(gridRows(cells, false).map((r) => r.label)).toContain('cpu web');
  });

  it('names the cgroup in the findings section', () => {
    expect(lineWith(screen([cells]), 'throttled in 60%')).toMatch(/CRIT cpu web +web throttled/);
  });
});

describe('keys of the services section', () => {
  const f = cgroupFrame(1);
  const ctx = {
    grid: gridRows(f, false),
    findings: sortedFindings(f),
    processes: visibleProcesses(f, 'cpu', ''),
    services: visibleCgroups(f, 'cpu', ''),
  };
  const press = (keys: Key[], from: UiState = initialState) => keys.reduce((s, k) => reduceKey(s, k, ctx), from);

  it('v switches the table, and the focus follows when it was on the table', () => {
    expect(press([ch('v')])).toMatchObject({ table: 'services', focus: 'grid' });
    expect(press([{ name: 'backtab' }, ch('v')])).toMatchObject({ table: 'services', focus: 'services' });
    expect(press([{ name: 'backtab' }, ch('v'), ch('v')])).toMatchObject({ table: 'processes', focus: 'processes' });
    expect(press([ch('v'), { name: 'tab' }, { name: 'tab' }]).focus).toBe('services');
    expect(press([ch('v'), { name: 'tab' }, { name: 'tab' }, { name: 'tab' }]).focus).toBe('grid');
  });

  it('s cycles the sort of the table shown, from the top', () => {
    const shown = press([ch('v'), { name: 'backtab' }, { name: 'down' }]);
    expect(shown.selected.services).toBe(1);
    const sorted = press([ch('s')], shown);
    expect(sorted).toMatchObject({ cgroupSort: 'memory', sort: 'cpu' });
    expect(sorted.selected.services).toBe(0);
    expect(press([ch('s'), ch('s'), ch('s'), ch('s')], shown).cgroupSort).toBe('throttled');
    expect(press([ch('s'), ch('s'), ch('s'), ch('s'), ch('s')], shown).cgroupSort).toBe('cpu');
    expect(press([ch('s')])).toMatchObject({ sort: 'memory', cgroupSort: 'cpu' });
  });

  it('enter opens the selected cgroup, / filters the table shown', () => {
    const opened = press([ch('v'), { name: 'backtab' }, { name: 'down' }, { name: 'enter' }]);
    expect(opened.detail).toEqual({ kind: 'cgroup', cgroup: nginx });
    expect(press([ch('v')], opened)).toEqual(opened);
    expect(press([ch('v'), ch('/'), ch('w')])).toMatchObject({ focus: 'services', filter: 'w', filterEditing: true });
  });

  it('works the same in a replay', () => {
    const replay = { reference: 0, speed: 1 };
    expect(reduceReplayKey(initialState, ch('v'), ctx, replay).ui.table).toBe('services');
  });

  it('are listed on the help page and in the footer', () => {
    const help = screen(frames, { help: true }).join('\n');
    expect(help).toMatch(/v +show services and containers instead of processes/);
    expect(help).toMatch(/s \(services shown\) +sort services and containers: cpu, memory, io, pressure, throttling/);
    const lines = screen(frames);
    expect(lines.at(-1)).toContain('v services');
    expect(screen(frames, { table: 'services' }).at(-1)).toContain('v processes');
  });
});
