import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench -- --only whole` end to end, with windows of seconds instead of minutes: the three
 * subjects start, their figures and the budgets print, the agent's threads and profile are broken
 * down, the soak samples its RSS, and every child is gone afterwards.
 */
const RUN = 'dist/bench/run.js';
const hasNodeExporter = ['node_exporter', 'prometheus-node-exporter'].some(
  (bin) => !spawnSync(bin, ['--version']).error,
);

describe.skipIf(!existsSync(RUN))('bench whole', () => {
  it('prints the whole-process figures of the agent, the bare reader and node_exporter', () => {
    const r = spawnSync(
      process.execPath,
      [
        RUN,
        '--only',
        'whole',
        '--warmup',
        '4',
        '--window',
        '4',
        '--soak',
        '4',
        '--soak-sample',
        '2',
        '--cpu-prof',
        '--json',
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const figures = JSON.parse(lines[lines.length - 1]) as Record<string, number>;
    expect(figures.whole_usewatch_ms_per_s).toBeGreaterThan(0);
    expect(figures.whole_bare_reader_ms_per_s).toBeGreaterThanOrEqual(0);
    expect(figures.whole_usewatch_peak_rss_mb).toBeGreaterThan(10);
    expect(figures.whole_usewatch_threads_main_ms_per_s).toBeGreaterThan(0);
    expect(figures.whole_usewatch_body_kb).toBeGreaterThan(1);
    expect(Number.isFinite(figures.whole_soak_growth_mb_per_h)).toBe(true);
    expect(r.stdout).toMatch(/usewatch \/ bare reader\s+\d/);
    expect(r.stdout).toMatch(/usewatch peak RSS\s+[\d.]+ MB\s+budget ≤ 60 MB/);
    // the profile's window holds the agent's own code and its waiting
    expect(r.stdout).toMatch(/^\s+collectors\/\s+[\d.]+ ms\/s/m);
    expect(r.stdout).toMatch(/^\s+\(idle\)\s+[\d.]+ ms\/s/m);
    // and by job: the time of a file read is its collector's
    expect(r.stdout).toMatch(/^\s+collect: processes\s+[\d.]+ ms\/s\s+[\d.]+ %/m);
    if (hasNodeExporter) {
      expect(figures.whole_node_exporter_ms_per_s).toBeGreaterThan(0);
      // node_exporter compresses when asked; the figure is what travels
      expect(figures.whole_node_exporter_body_gzip_kb).toBeLessThan(figures.whole_node_exporter_body_kb);
      expect(r.stdout).toMatch(/usewatch \/ node_exporter\s+[\d.]+ ×/);
    }
    const left = spawnSync('pgrep', ['-f', 'dist/bench/bare-reader.js'], { encoding: 'utf8' });
    expect(left.stdout).toBe('');
  }, 120_000);

  it('runs a baseline build beside the agent and prints their ratio', () => {
    // this build's own root as the baseline: two agents of one build, started and scraped alike
    const r = spawnSync(
      process.execPath,
      [RUN, '--only', 'whole', '--warmup', '4', '--window', '6', '--baseline', '.', '--json'],
      {
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const figures = JSON.parse(lines[lines.length - 1]) as Record<string, number>;
    expect(figures.whole_baseline_ms_per_s).toBeGreaterThan(0);
    expect(figures.whole_usewatch_over_baseline).toBeCloseTo(
      figures.whole_usewatch_ms_per_s / figures.whole_baseline_ms_per_s,
      1,
    );
    expect(r.stdout).toMatch(
      /usewatch \/ baseline build\s+[\d.]+ × over the window .* in its 6 parts: ([\d.]+|NaN)(, ([\d.]+|NaN)){5} ×/,
    );
    expect(r.stdout).toMatch(/^\s+baseline by thread/m);
    // the baseline agent was started as ./dist/bin/usewatch.js (this root, '.')
    const left = spawnSync('pgrep', ['-f', '^\\S+ \\./dist/bin/usewatch\\.js agent'], { encoding: 'utf8' });
    expect(left.stdout).toBe('');
  }, 120_000);

  it('says what is missing when the baseline is not a build', () => {
    const r = spawnSync(process.execPath, [RUN, '--only', 'whole', '--baseline', '/nonexistent'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--baseline \/nonexistent: no \/nonexistent\/dist\/bin\/usewatch.js/);
  });
});
