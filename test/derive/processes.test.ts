import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProcessesSample, ProcessSample } from '../../collectors/process/sample.js';
import { createProcessDeriver, rankProcesses, sanitizeText } from '../../src/derive/processes.js';
import { type DeriveContext, MetricSink } from '../../src/derive/types.js';
import type { ProcessEntry } from '../../src/model/frame.js';

const PAGE = 4096;

function proc(pid: number, over: Partial<ProcessSample> = {}): ProcessSample {
  const starttime = over.starttime ?? 1000 + pid;
  return {
    key: `${pid}:${starttime}`,
    pid,
    ppid: 1,
    comm: `p${pid}`,
    state: 'S',
    kthread: false,
    minflt: 0,
    majflt: 0,
    utime: 0,
    stime: 0,
    numThreads: 1,
    starttime,
    vsizeBytes: 0,
    rssPages: 100,
    cmd: `/bin/p${pid}`,
    uid: 0,
    user: 'root',
    ...over,
  };
}

function sample(...procs: ProcessSample[]): ProcessesSample {
  return { processes: new Map(procs.map((p) => [p.key, p])), pageSize: PAGE, detailed: procs.length };
}

function ctx(dtSeconds = 1, topN = 5): DeriveContext & { out: MetricSink } {
  return { dtSeconds, out: new MetricSink(), config: { linkSpeedsBps: {}, topN } };
}

const io = (read: number, write: number, cancelled = 0) => ({
  rchar: read,
  wchar: write,
  readBytes: read,
  writeBytes: write,
  cancelledWriteBytes: cancelled,
});

const entry = (list: ProcessEntry[], pid: number) => list.find((e) => e.pid === pid);

describe('process deriver', () => {
  it('sets counts but no rate on the first sample', () => {
    const c = ctx(0);
    const list = createProcessDeriver().derive(
      undefined,
      sample(proc(1, { state: 'D', runDelayNs: 5e9 }), proc(2, { state: 'Z' }), proc(3, { utime: 500 })),
      c,
    );
    expect(c.out.values).toEqual({
      'tasks.processes': { '': 3 },
      'tasks.uninterruptible': { '': 1 },
      'tasks.zombies': { '': 1 },
    });
    expect(list.map((e) => e.cpu)).toEqual([0, 0, 0]);
    expect(entry(list, 1)?.runDelay).toBeUndefined();
  });

  it('computes per-process rates between two samples of the same process', () => {
    const d = createProcessDeriver();
    const before = proc(7, { utime: 100, stime: 50, majflt: 10, runDelayNs: 1e9, io: io(1000, 5000, 1000) });
    const after = proc(7, { utime: 300, stime: 150, majflt: 30, runDelayNs: 5e9, io: io(21000, 45000, 5000) });
    const other = proc(8, { runDelayNs: 0 });
    const c = ctx(2);
    const [e] = d.derive(sample(before, { ...other }), sample(after, { ...other, runDelayNs: 2e9 }), c);
    expect(e).toMatchObject({
      pid: 7,
      cpu: 1.5, // 300 ticks / 100 Hz / 2 s
      majorFaultsPs: 10,
      runDelay: 2,
      readBps: 10_000,
      writeBps: 18_000, // (40000 written − 4000 cancelled) / 2 s
      rssBytes: 100 * PAGE,
    });
    expect(c.out.get('cpu.run_delay')).toBe(3); // 2 + 1 over the two processes
  });

  it('sums run delay only where /proc/schedstat gave none, and shares it over the online CPUs', () => {
    const before = proc(7, { runDelayNs: 1e9 });
    const after = proc(7, { runDelayNs: 5e9 });
    const fallback = ctx(2);
    fallback.out.set('cpu.count', '', 4);
    createProcessDeriver().derive(sample(before), sample(after), fallback);
    expect(fallback.out.get('cpu.run_delay')).toBe(2);
    expect(fallback.out.get('cpu.run_delay_per_cpu')).toBe(0.5);
    const schedstat = ctx(2);
    schedstat.out.set('cpu.run_delay', '', 7);
    createProcessDeriver().derive(sample(before), sample(after), schedstat);
    expect(schedstat.out.get('cpu.run_delay')).toBe(7);
  });

  it('never computes a rate across a reused pid (same pid, new start time)', () => {
    const d = createProcessDeriver();
    const old = proc(7, { utime: 100, io: io(1000, 0), runDelayNs: 1e9 });
    const reused = proc(7, { starttime: 9999, utime: 5, io: io(0, 0), runDelayNs: 0 });
    const c = ctx(1);
    const list = d.derive(sample(old), sample(reused), c);
    expect(list[0]).toMatchObject({ pid: 7, cpu: 0 });
    expect(list[0].readBps).toBeUndefined();
    expect(c.out.get('cpu.run_delay')).toBeUndefined();
  });

  it('gives no io rate after a counter reset, never a negative one', () => {
    const d = createProcessDeriver();
    const list = d.derive(sample(proc(7, { io: io(5000, 5000) })), sample(proc(7, { io: io(10, 6000) })), ctx(1));
    expect(list[0].readBps).toBeUndefined();
    expect(list[0].writeBps).toBe(1000);
  });

  it('lists the union of the top N per measure, leaving out zero rates', () => {
    const d = createProcessDeriver();
    const prev: ProcessSample[] = [];
    const cur: ProcessSample[] = [];
    for (let pid = 1; pid <= 40; pid++) {
      prev.push(proc(pid, { rssPages: pid }));
      cur.push(proc(pid, { rssPages: pid, utime: pid === 3 ? 50 : pid === 5 ? 80 : 0 }));
    }
    const list = d.derive(sample(...prev), sample(...cur), ctx(1, 2));
    // cpu: 5, 3; memory: 40, 39; threads (all 1): the lowest pids 1, 2
    expect(list.map((e) => e.pid)).toEqual([5, 3, 1, 2, 39, 40]);
  });

  it("carries each process's workload cgroup id into its entry", () => {
    const list = createProcessDeriver().derive(
      undefined,
      sample(proc(1, { cgroup: '/system.slice/nginx.service' }), proc(2)),
      ctx(1),
    );
    expect(entry(list, 1)?.cgroup).toBe('/system.slice/nginx.service');
    expect(entry(list, 2)).not.toHaveProperty('cgroup');
  });

  it('tracks the largest fd share of a limit', () => {
    const c = ctx(1);
    createProcessDeriver().derive(
      undefined,
      sample(proc(1, { fds: 900, fdLimit: 1024 }), proc(2, { fds: 5000, fdLimit: 1_048_576 }), proc(3, { fds: 10 })),
      c,
    );
    expect(c.out.get('fd.max_process_utilization')).toBeCloseTo(900 / 1024);
  });

  it('reports RSS growth as the slope over the recent window once there is history', () => {
    const d = createProcessDeriver({ rssMinSpanSeconds: 10 });
    let prev: ProcessesSample | undefined;
    const growth: (number | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      // 256 pages (1 MiB) more every 5 s: 209715.2 B/s
      const cur = sample(proc(1, { rssPages: 1000 + i * 256 }));
      growth.push(d.derive(prev, cur, ctx(5))[0].rssGrowthBps);
      prev = cur;
    }
    expect(growth.slice(0, 2)).toEqual([undefined, undefined]);
    expect(growth[4]).toBeCloseTo((256 * PAGE) / 5, -1); // six significant digits: 209715 B/s
  });

  it('sanitises names, command lines and users in the list; kernel threads keep an empty cmd', () => {
    const hostile = proc(66, {
      comm: '\x1b]0;pwn\x07x',
      cmd: 'evil \x1b[2J line1\nline2',
      user: 'r\x1b[31mo',
    });
    const kthread = proc(2, { comm: 'kthreadd', kthread: true, cmd: '', rssPages: 0 });
    const list = createProcessDeriver().derive(undefined, sample(hostile, kthread), ctx(0));
    expect(entry(list, 66)).toMatchObject({ name: 'x', cmd: 'evil  line1 line2', user: 'ro' });
    expect(entry(list, 2)?.cmd).toBe('');
    expect(entry(list, 2)?.name).toBe('kthreadd');
  });

  it('shows a long command line shortened the same tick after tick, and the new one after an exec', () => {
    const d = createProcessDeriver({ cmdMaxLen: 10 });
    const long = (cmd: string) => sample(proc(7, { cmd }));
    const cmds: string[] = [];
    for (const cmd of ['/usr/bin/node server.js', '/usr/bin/node server.js', '/opt/python3 -m http.server']) {
      cmds.push(entry(d.derive(undefined, long(cmd), ctx(0)), 7)?.cmd ?? '');
    }
    // a command line not asked for on a tick is made again when it comes back
    d.derive(undefined, sample(proc(8)), ctx(0));
    d.derive(undefined, sample(proc(8)), ctx(0));
    cmds.push(entry(d.derive(undefined, long('/usr/bin/node server.js'), ctx(0)), 7)?.cmd ?? '');
    expect(cmds).toEqual(['/usr/bin/…', '/usr/bin/…', '/opt/pyth…', '/usr/bin/…']);
    expect(entry(d.derive(undefined, long('a\x1b[2Jb'), ctx(0)), 7)?.cmd).toBe('ab');
  });
});

describe('rankProcesses', () => {
  const e = (pid: number, over: Partial<ProcessEntry>): ProcessEntry => ({
    pid,
    name: `p${pid}`,
    cmd: '',
    user: 'root',
    state: 'S',
    cpu: 0,
    rssBytes: 0,
    threads: 1,
    ...over,
  });
  const entries = [
    e(1, { cpu: 0.5, rssBytes: 10, readBps: 100, runDelay: 0.1, fds: 900, fdLimit: 1024 }),
    e(2, { cpu: 1.5, rssBytes: 30, writeBps: 50, majorFaultsPs: 3 }),
    e(3, { cpu: 0, rssBytes: 20, state: 'D' }),
    e(4, { cpu: 0.7, rssBytes: 5, readBps: 1000, fds: 5000, fdLimit: 1_048_576, threads: 40 }),
  ];
  const pids = (list: ProcessEntry[]) => list.map((x) => x.pid);

  it('orders by the measure, highest first, without zero values', () => {
    expect(pids(rankProcesses(entries, 'cpu', 5))).toEqual([2, 4, 1]);
    expect(pids(rankProcesses(entries, 'memory', 2))).toEqual([2, 3]);
    expect(pids(rankProcesses(entries, 'run_delay', 5))).toEqual([1]);
    expect(pids(rankProcesses(entries, 'threads', 1))).toEqual([4]);
    expect(pids(rankProcesses(entries, 'faults', 5))).toEqual([2]);
  });

  it('puts processes blocked in D state first for io', () => {
    expect(pids(rankProcesses(entries, 'io', 5))).toEqual([3, 4, 1, 2]);
  });

  it('ranks fds by share of the limit, not by count', () => {
    expect(pids(rankProcesses(entries, 'fds', 5))).toEqual([1, 4]);
  });
});

describe('sanitizeText', () => {
  it('leaves plain text alone', () => {
    expect(sanitizeText('nginx: worker process', 64)).toBe('nginx: worker process');
  });

  it('removes CSI and OSC escape sequences, lone ESC and C0/C1 controls', () => {
    expect(sanitizeText('a\x1b[2Jb', 64)).toBe('ab');
    expect(sanitizeText('\x1b[1;31mred\x1b[0m', 64)).toBe('red');
    expect(sanitizeText('\x1b]0;title\x07name', 64)).toBe('name');
    expect(sanitizeText('\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', 64)).toBe('link');
    expect(sanitizeText('x\x1b', 64)).toBe('x');
    expect(sanitizeText('a\x00b\x7fc\x85d', 64)).toBe('abcd');
    expect(sanitizeText('8-bit \x9b2Jcsi', 64)).toBe('8-bit csi');
    expect(sanitizeText('bell\x07', 64)).toBe('bell');
  });

  it('turns newlines and tabs into spaces and trims', () => {
    expect(sanitizeText('line1\nline2\tx\r\n', 64)).toBe('line1 line2 x');
  });

  it('replaces lone surrogates and keeps valid pairs and wide characters', () => {
    expect(sanitizeText('a\ud800b\udc00c', 64)).toBe('a\ufffdb\ufffdc');
    expect(sanitizeText('日本語 😀', 64)).toBe('日本語 😀');
  });

  it('drops bidi override controls that reorder what is shown', () => {
    expect(sanitizeText('abc\u202edcb', 64)).toBe('abcdcb');
  });

  it('shortens to maxLen code points with an ellipsis', () => {
    expect(sanitizeText('x'.repeat(10_000), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(sanitizeText('😀'.repeat(20), 5)).toBe(`${'😀'.repeat(4)}…`);
    expect(sanitizeText('exactly10!', 10)).toBe('exactly10!');
    expect(sanitizeText('abc', 0)).toBe('');
  });

  it('never lets a control character, ESC or lone surrogate through, and keeps to maxLen', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (text, max) => {
        const out = sanitizeText(text, max);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        expect([...out].length).toBeLessThanOrEqual(max);
      }),
    );
  });
});
