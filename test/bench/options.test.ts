import { describe, expect, it } from 'vitest';
import { baselineBin, parseWholeOptions, unitLaunch } from '../../bench/whole/options.js';

describe('parseWholeOptions', () => {
  it('measures 120–180 s after start on a 100-process host, kept-alive, by default', () => {
    expect(parseWholeOptions([], {})).toEqual({
      processes: 100,
      warmupS: 120,
      windowS: 60,
      connection: 'keep-alive',
      soakS: 0,
      soakSampleS: 60,
      cpuProf: false,
    });
  });

  it('takes flags before the environment, durations with or without a unit', () => {
    const opts = parseWholeOptions(
      ['--only', 'whole', '--procs', '1000', '--soak', '1h', '--window', '20', '--new-connection', '--cpu-prof'],
      { USEWATCH_BENCH_WHOLE_PROCS: '50', USEWATCH_BENCH_WHOLE_WARMUP: '30s', USEWATCH_BENCH_SOAK_SAMPLE: '5' },
    );
    expect(opts).toEqual({
      processes: 1000,
      warmupS: 30,
      windowS: 20,
      connection: 'new',
      soakS: 3600,
      soakSampleS: 5,
      cpuProf: true,
    });
  });

  it('names the flag or variable that holds a bad value', () => {
    expect(() => parseWholeOptions(['--soak', 'forever'], {})).toThrow(
      /--soak is "forever", expected a number and a unit/,
    );
    expect(() => parseWholeOptions([], { USEWATCH_BENCH_WHOLE_PROCS: '1e3.5' })).toThrow(
      /USEWATCH_BENCH_WHOLE_PROCS is "1e3.5", expected a whole number/,
    );
    expect(() => parseWholeOptions(['--procs'], {})).toThrow(/--procs needs a value/);
    expect(() => parseWholeOptions(['--window', '0'], {})).toThrow(/--window is "0"/);
  });

  it('takes a baseline build to run beside the agent, from the flag or the environment', () => {
    expect(parseWholeOptions(['--baseline', '/tmp/before'], { USEWATCH_BENCH_BASELINE: '/x' }).baseline).toBe(
      '/tmp/before',
    );
    expect(parseWholeOptions([], { USEWATCH_BENCH_BASELINE: '/x' }).baseline).toBe('/x');
    expect(() => parseWholeOptions(['--baseline'], {})).toThrow(/--baseline needs a value/);
  });
});

describe('baselineBin', () => {
  it("finds the built CLI under a build's root, or says what is missing", () => {
    expect(baselineBin('/tmp/before/', (p) => p === '/tmp/before/dist/bin/usewatch.js')).toBe(
      '/tmp/before/dist/bin/usewatch.js',
    );
    expect(() => baselineBin('/tmp/none', () => false)).toThrow(
      /--baseline \/tmp\/none: no \/tmp\/none\/dist\/bin\/usewatch.js/,
    );
  });
});

describe('unitLaunch', () => {
  it('reads the environment and Node flags of the shipped unit', () => {
    const unit = [
      '[Service]',
      'ExecStart=/usr/bin/node --max-semi-space-size=2 /opt/usewatch/dist/bin/usewatch.js agent --config /etc/x.yaml',
      'Environment=UV_THREADPOOL_SIZE=8 NODE_ENV=production',
    ].join('\n');
    expect(unitLaunch(unit, 'usewatch.service')).toEqual({
      env: { UV_THREADPOOL_SIZE: '8', NODE_ENV: 'production' },
      nodeFlags: ['--max-semi-space-size=2'],
    });
  });

  it('says so when ExecStart does not run a .js CLI', () => {
    expect(() => unitLaunch('ExecStart=/usr/local/bin/usewatch agent', 'u.service')).toThrow(
      /u.service: ExecStart does not run node on a .js CLI/,
    );
  });
});
