import { describe, expect, it } from 'vitest';
import type { Checklist } from '../../src/checklist/model.js';
import { FRAME_SCHEMA, type Frame, type MetricValues, type ProcessEntry } from '../../src/model/frame.js';
import { renderJson } from '../../src/report/json.js';
import { nagiosUnknown, renderNagios } from '../../src/report/nagios.js';
import { EXIT_CODES, nominalInterval, runStatus, summarizeRun } from '../../src/report/run.js';
import { renderText, useColor } from '../../src/report/text.js';
import { renderScreen } from '../../src/tui/view/screen.js';
import { UseEvaluator } from '../../src/use/evaluator.js';
import { model, plain, frame as screenFrame } from '../tui/frames.js';
import { checklist, cpuUtilizationRule, proc, rule } from '../use/helpers.js';

const T0 = 1_700_000_000_000;

const set: Checklist = checklist(
  [
    cpuUtilizationRule,
    rule({
      id: 'cpu.saturation.runqueue',
      metric: 'cpu.runqueue_per_cpu',
      dimension: 'saturation',
      warn: 1,
      crit: 2,
      drilldown: 'run_delay',
      next: ['vmstat 1'],
      summary: 'run queue {value}',
    }),
    rule({
      id: 'cpu.errors.mce',
      metric: 'cpu.machine_check_events',
      dimension: 'errors',
      warn: 0,
      gap: 'no MCE source',
    }),
    rule({
      id: 'disk.utilization',
      metric: 'disk.utilization',
      warn: 0.6,
      crit: 0.9,
      drilldown: 'io',
      summary: '{instance} busy {value}',
    }),
  ],
  [],
  [{ resource: 'fd', dimension: 'saturation', reason: 'no queueing for descriptors' }],
);

const base: MetricValues = {
  'cpu.load1': { '': 4.2 },
  'cpu.load5': { '': 2 },
  'cpu.load15': { '': 1.1 },
  'cpu.count': { '': 2 },
  'cpu.procs_running': { '': 4 },
  'cpu.user': { '': 0.9 },
  'cpu.system': { '': 0.08 },
  'cpu.idle': { '': 0.02 },
  'cpu.iowait': { '': 0 },
  'cpu.steal': { '': 0 },
  'cpu.core_utilization': { cpu0: 0.99, cpu1: 0.97 },
  'disk.reads_ps': { vda: 10 },
  'disk.writes_ps': { vda: 200 },
  'disk.write_bps': { vda: 50 * 1024 * 1024 },
  'disk.await_ms': { vda: 3.5 },
  'memory.total_bytes': { '': 24 * 2 ** 30 },
  'memory.available_bytes': { '': 20 * 2 ** 30 },
  'memory.free_bytes': { '': 18 * 2 ** 30 },
  'net.rx_bps': { eth0: 1024 * 100 },
  'net.tx_bps': { eth0: 1024 * 20 },
  'tcp.active_opens_ps': { '': 3 },
  'tcp.passive_opens_ps': { '': 1 },
  'tcp.retrans_ps': { '': 0.5 },
};

function frames(
  count: number,
  opts: { kmsgDenied?: boolean; quiet?: boolean; quietFrom?: number } = {},
  list: Checklist = set,
): Frame[] {
  const ev = new UseEvaluator({ checklist: list });
  const workers: ProcessEntry[] = [
    proc(4001, 'stress-ng-cpu', { cpu: 0.98, runDelay: 0.9, rssBytes: 4e6 }),
    proc(4002, 'stress-ng-cpu', { cpu: 0.97, runDelay: 0.8, rssBytes: 4e6 }),
    proc(77, 'bash', { cpu: 0.01, rssBytes: 5e6, state: 'S' }),
  ];
  return Array.from({ length: count }, (_, seq) => {
    const ts = T0 + seq * 1000;
    const quiet = opts.quiet || seq >= (opts.quietFrom ?? count);
    const metrics: MetricValues = {
      ...base,
      'cpu.utilization': { '': quiet ? 0.1 : 0.98 },
      'cpu.runqueue_per_cpu': { '': quiet ? 0.2 : 1.5 },
      'disk.utilization': { vda: quiet ? 0.01 : 0.3 },
    };
    const evaluation = ev.evaluate({ metrics, processes: workers, ts });
    return {
      schema: FRAME_SCHEMA,
      seq,
      ts,
      intervalMs: seq === 0 ? 0 : 1000,
      host: { hostname: 'box', kernel: '6.1.0', cpus: 2, agentVersion: '0.1.0' },
      metrics,
      ...evaluation,
      processes: workers,
      kernelEvents: [],
      sources: opts.kmsgDenied ? [{ source: 'dev/kmsg', status: 'denied', reason: 'EPERM' }] : [],
      self: { tickMs: 2, tickCpuMs: 1, collectors: [], skippedTicks: 0, rssBytes: 5e7 },
    } satisfies Frame;
  });
}

const window = { intervalMs: 1000 };

describe('text report', () => {
  const text = renderText(summarizeRun(frames(6, { kmsgDenied: true }), set, window), { color: false });

  it('shows the USE matrix as one row per resource instance', () => {
    expect(text).toMatch(/RESOURCE\s+INSTANCE\s+UTILIZATION\s+SATURATION\s+ERRORS/);
    expect(text).toMatch(/\ncpu\s+host\s+98% CRIT\s+150% WARN\s+gap\n/);
    expect(text).toMatch(/\ndisk\s+vda\s+30%\s+–\s+–\n/);
  });

  it('lists findings with evidence processes and next commands', () => {
    expect(text).toContain('Status: CRITICAL (1 critical, 1 warning)');
    expect(text).toContain('[CRITICAL] cpu.utilization (cpu utilization, host) firing for 5s');
    expect(text).toContain('CPU busy 98% (threshold 90%)');
    expect(text).toMatch(/4001 stress-ng-cpu {2}state R {2}cpu 98%/);
    expect(text).toContain('next: mpstat -P ALL 1');
  });

  it('spells a value as the top screen does: the same process reads the same in both', () => {
    const worker = frames(1)[0].processes[0];
    const detail = renderScreen(model([screenFrame(1)], { detail: { kind: 'process', process: worker } }), plain);
    expect(detail.join('\n')).toMatch(/rss +3\.8M/);
    expect(text).toMatch(/4001 stress-ng-cpu {2}state R {2}cpu 98% {2}rss 3\.8M/);
  });

  it('labels every figure: the matrix is the last sample, a finding names its peak, value at firing and now', () => {
    expect(text).toContain('USE matrix (last sample)');
    expect(text).toMatch(/peak 98%, 98% when it fired at \d\d:\d\d:\d\dZ, now 98%/);
    expect(text).toContain('(vmstat 1; means over the window, except free, buff and cache: last sample)');
    expect(text).toContain('(uptime; last sample)');
    expect(text).toMatch(/busiest CPU .*above the mean of all CPUs/);
  });

  it('shows the culprits captured when the finding fired and the current top, ranked by their measure', () => {
    expect(text).toMatch(
      /culprits when it fired at \d\d:\d\d:\d\dZ, ranked by run delay:\n +4001 stress-ng-cpu {2}state R {2}run delay 0\.90 threads waiting {2}cpu 98%/,
    );
    expect(text).toMatch(/top processes on the last sample, ranked by run delay:\n +4001 stress-ng-cpu/);
  });

  it("reads a recording's interval from its frames, whether the host was busy or a slot was skipped", () => {
    expect(nominalInterval([990, 995, 985, 990, 1030], 4990)).toBe(1000);
    expect(nominalInterval([1000, 2000, 1000, 1000], 5000)).toBe(1000);
    expect(nominalInterval([495, 505, 498], 1498)).toBe(500);
    expect(nominalInterval([2003, 1998], 4001)).toBe(2000);
    // A busy host: the last of six frames 50 ms late still reads 1 s, and 5 s as its window.
    expect(nominalInterval([1000, 1000, 1000, 1000, 1050], 5050)).toBe(1000);
    expect(nominalInterval([960, 1000, 1000, 1000, 1000], 4960)).toBe(1000);
    expect(nominalInterval([1198, 1202, 1200], 3600)).toBe(1200);
    expect(nominalInterval([1098, 1103, 1100], 3300)).toBe(1100);
  });

  it('states the window in whole intervals, the same live and replayed', () => {
    const live = renderText(summarizeRun(frames(11), set, window), { color: false });
    const replay = renderText(summarizeRun(frames(11), set, { mode: 'replay' }), { color: false });
    expect(live).toContain('10s window at 1s, 11 samples');
    expect(replay).toContain('10s window at 1s, 11 samples');
  });

  it('lists the gaps with their reasons', () => {
    expect(text).toContain('cpu errors (host): no MCE source');
  });

  it('covers the ten steps of the 60-second analysis', () => {
    for (const title of [
      'uptime',
      'dmesg | tail',
      'vmstat 1',
      'mpstat -P ALL 1',
      'pidstat 1',
      'iostat -xz 1',
      'free -m',
      'sar -n DEV 1',
      'sar -n TCP,ETCP 1',
      'top',
    ]) {
      expect(text).toContain(`(${title}; `);
    }
    expect(text).toContain('load 4.2 2 1.1 (1, 5, 15 min) on 2 CPUs; trend rising');
    expect(text).toContain('kernel log not readable (denied: EPERM)');
    expect(text).toContain('r 4 > 2 CPUs: CPU saturation');
    expect(text).toContain('cpu0 99%  cpu1 97%');
    expect(text).toMatch(/vda +r\/s 10 {2}w\/s 200 {2}rkB\/s – {2}wkB\/s 51200/);
    expect(text).toContain('active/s 3  passive/s 1  retrans/s 0.5');
    expect(text).toMatch(/eth0 +rxkB\/s 100 {2}txkB\/s 20/);
  });

  it('colours cells only when asked, and NO_COLOR turns colour off', () => {
    expect(text).not.toContain('\x1b[');
    const coloured = renderText(summarizeRun(frames(3), set, window), { color: true });
    expect(coloured).toContain('\x1b[31m');
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });
});

describe('status, nagios and JSON', () => {
  it('exit codes follow Nagios: worst firing finding decides', () => {
    expect(EXIT_CODES).toEqual({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 });
    expect(runStatus(summarizeRun(frames(3), set, window))).toBe('CRITICAL');
    expect(runStatus(summarizeRun(frames(3, { quiet: true }), set, window))).toBe('OK');
  });

  it("a breach through a window shorter than the rule's `for` makes the status its severity", () => {
    const slow = checklist(set.rules.map((r) => (r.id === 'cpu.utilization' ? { ...r, forMs: 60_000 } : r)));
    const run = summarizeRun(frames(5, {}, slow), slow, window);
    const line = renderNagios(run);
    expect(line).toMatch(/^USEWATCH CRITICAL - cpu\.utilization: CPU busy 98% \(threshold 90%\)/);
    expect(line).toContain("'cpu.utilization'=98%;70;90");
    expect(renderText(run, { color: false })).toContain(
      '[CRITICAL] cpu.utilization (cpu utilization, host) firing: breached on every sample of the 4s window (its `for` is 1m)',
    );
  });

  it('a finding that fired and resolved inside the window still decides the status, and says so', () => {
    const run = summarizeRun(frames(4, { quietFrom: 2 }), set, window);
    expect(run.findings.find((f) => f.rule === 'cpu.utilization')?.state).toBe('resolved');
    expect(runStatus(run)).toBe('CRITICAL');
    expect(renderNagios(run)).toMatch(
      /^USEWATCH CRITICAL - cpu\.utilization: CPU busy 98% \(threshold 90%\) \(resolved\)/,
    );
  });

  it('nagios prints one status line with perfdata', () => {
    const line = renderNagios(summarizeRun(frames(3), set, window));
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(
      /^USEWATCH CRITICAL - cpu\.utilization: CPU busy 98% \(threshold 90%\); cpu\.saturation\.runqueue: run queue 150% \| /,
    );
    expect(line).toContain("'cpu.utilization'=98%;70;90");
    expect(line).toContain("'disk.utilization:vda'=30%;60;90");
    expect(renderNagios(summarizeRun(frames(3, { quiet: true }), set, window))).toMatch(
      /^USEWATCH OK - no USE finding over 2s \(4 rules\) \| /,
    );
    expect(nagiosUnknown('bad | checklist\nmore')).toBe('USEWATCH UNKNOWN - bad / checklist');
  });

  it('nagios writes the thresholds of a rule that fires below its level as ranges open above', () => {
    const below = checklist([
      rule({ id: 'cpu.idle.low', metric: 'cpu.idle', direction: 'below', warn: 0.3, crit: 0.1, clear: 0.4 }),
    ]);
    expect(renderNagios(summarizeRun(frames(3, {}, below), below, window))).toContain("'cpu.idle'=2%;30:;10:");
  });

  it('JSON carries status, matrix, findings with evidence, events, gaps and the analysis', () => {
    const doc = JSON.parse(JSON.stringify(renderJson(summarizeRun(frames(4), set, window))));
    expect(Object.keys(doc)).toEqual([
      'schema',
      'status',
      'exitCode',
      'host',
      'startedAt',
      'endedAt',
      'windowMs',
      'intervalMs',
      'frames',
      'mode',
      'checklist',
      'use',
      'findings',
      'events',
      'cgroups',
      'gaps',
      'analysis',
      'sources',
    ]);
    expect(doc).toMatchObject({ schema: 1, status: 'CRITICAL', exitCode: 2, frames: 4, checklist: { rules: 4 } });
    expect(doc.findings[0]).toMatchObject({
      id: 'cpu.utilization@',
      state: 'firing',
      severity: 'critical',
      evidence: {
        value: 0.98,
        threshold: 0.9,
        processes: [{ name: 'stress-ng-cpu' }, { name: 'stress-ng-cpu' }, { name: 'bash' }],
      },
    });
    expect(doc.events.map((e: { kind: string; rule: string }) => `${e.kind} ${e.rule}`)).toEqual([
      'raised cpu.utilization',
      'raised cpu.saturation.runqueue',
    ]);
    expect(doc.gaps).toEqual([{ resource: 'cpu', dimension: 'errors', instances: [''], reason: 'no MCE source' }]);
    expect(doc.analysis.map((s: { step: number }) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(doc.analysis[2].data).toMatchObject({ r: 4, us: 0.9 });
  });
});

describe('the 60-second analysis reads its levels from the checklist', () => {
  const vmstat = (list: Checklist, extra: MetricValues = {}) => {
    const run = frames(4, {}, list).map((f) => ({ ...f, metrics: { ...f.metrics, ...extra } }));
    return renderText(summarizeRun(run, list, window), { color: false });
  };

  it('remarks on run queue, system time and load trend against the analysis levels', () => {
    const levels = { ...set.analysis, runnable_per_cpu: 3, system_time: 0.05, load_trend_ratio: 5 };
    const text = vmstat({ ...set, analysis: levels });
    expect(text).not.toContain('CPU saturation');
    expect(text).toContain('system time above 5 %: look at the kernel side');
    expect(text).toContain('on 2 CPUs; trend steady');
    const half = vmstat({ ...set, analysis: { ...set.analysis, runnable_per_cpu: 0.5 } });
    expect(half).toContain('r 4 > 1 (50% of 2 CPUs): CPU saturation');
  });

  it("remarks on swapping past the level of the checklist's swap rules", () => {
    const swapIn = (warn: number) =>
      checklist([
        ...set.rules,
        rule({ id: 'memory.saturation.swap_in', metric: 'memory.swap_in_bps', warn, clear: 0 }),
      ]);
    const swapping = { 'memory.swap_in_bps': { '': 4096 } };
    expect(vmstat(swapIn(0), swapping)).toContain('swapping: out of memory');
    expect(vmstat(swapIn(8192), swapping)).not.toContain('swapping');
  });
});
