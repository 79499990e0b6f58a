import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecorder } from '../../src/outputs/recorder/recorder.js';
import { cgroupFrame } from '../tui/frames.js';
import { notBuiltReason, usewatch } from './agent-process.js';

/**
 * "Would my new thresholds have fired last night?": a recording re-evaluated by `check --replay`
 * finds what the live run found, and a stricter checklist finds more.
 */
if (notBuiltReason) console.log(`skipped: ${notBuiltReason}`);

const dir = mkdtempSync(join(tmpdir(), 'usewatch-check-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface JsonReport {
  status: string;
  events: { kind: string; rule: string; severity: string }[];
}

/** A user checklist under which memory in use on any machine is past the threshold. */
const strict = join(dir, 'strict.yaml');
writeFileSync(
  strict,
  [
    'overrides:',
    '  - rule: memory.utilization',
    '    warn: 0.001',
    '    crit: 0.99',
    '    clear: 0.0005',
    '    for: 1s',
    '',
  ].join('\n'),
);

describe.skipIf(notBuiltReason !== undefined)('check --replay', () => {
  it('re-evaluation finds what the live run recorded, and a stricter checklist fires on the same recording', () => {
    const live = join(dir, 'live.ndjson.gz');
    const recorded = usewatch('record', '--out', live, '--for', '4s', '--interval', '500ms', '--checklist', strict);
    expect(recorded.code, recorded.stderr).toBe(0);

    const again = usewatch('check', '--replay', live, '--checklist', strict, '--format', 'json');
    const report = JSON.parse(again.stdout) as JsonReport;
    const raised = report.events.filter((e) => e.kind === 'raised').map((e) => e.rule);
    expect(raised).toContain('memory.utilization');
    const liveRaised = gunzipSync(readFileSync(live))
      .toString('utf8')
      .trim()
      .split('\n')
      .flatMap((line) => (JSON.parse(line) as { events?: JsonReport['events'] }).events ?? [])
      .filter((e) => e.kind === 'raised')
      .map((e) => e.rule);
    expect(new Set(raised)).toEqual(new Set(liveRaised));
    expect(again.code).toBe(1); // WARNING: something fired during the recording

    const defaults = usewatch('check', '--replay', live, '--format', 'json');
    const quiet = JSON.parse(defaults.stdout) as JsonReport;
    expect(quiet.events.filter((e) => e.rule === 'memory.utilization')).toEqual([]);
  });

  it('replay --format ndjson prints the recorded frames with their lists as objects, for jq', () => {
    const live = join(dir, 'live.ndjson.gz'); // written by the test above
    const recorded = gunzipSync(readFileSync(live)).toString('utf8').trim().split('\n').slice(1);
    const stored = JSON.parse(recorded[recorded.length - 1]) as { processes: unknown };
    expect(stored.processes).toHaveProperty('cols'); // tables on disk
    const printed = usewatch('replay', live, '--format', 'ndjson');
    expect(printed.code, printed.stderr).toBe(0);
    const frames = printed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; processes: { pid: number; name: string }[] });
    expect(frames.length).toBe(recorded.length);
    const last = frames[frames.length - 1];
    expect(Array.isArray(last.processes)).toBe(true);
    expect(last.processes.map((p) => typeof p.pid)).toContain('number');
    expect(last.processes.every((p) => typeof p.name === 'string')).toBe(true);
  });

  it('reports the services and containers a recording carried, in text and JSON', async () => {
    const carried = join(dir, 'cgroups');
    const recorder = createRecorder({ dir: carried, queueFrames: 100 });
    for (let i = 0; i < 6; i++) recorder.write(cgroupFrame(i));
    await recorder.close();
    const text = usewatch('check', '--replay', carried);
    expect(text.stdout).toMatch(/\nServices and containers\n +NAME +KIND +CPU/);
    expect(text.stdout).toMatch(/\n +web +container +0\.98 +98% +60% +250M\/256M \(97\.7%\)/);
    const json = JSON.parse(usewatch('check', '--replay', carried, '--format', 'json').stdout);
    expect(json.cgroups.map((c: { name: string }) => c.name)).toEqual(['web', 'nginx.service', 'shop/cart-7d/cart']);
    expect(json.cgroups[0]).toMatchObject({ memory: { oomKills: 5 }, pids: { peak: 40 } });
  });

  it('says what is wrong with a bad time or a missing recording, with exit code 3', () => {
    const badTime = usewatch('check', '--replay', join(dir, 'live.ndjson.gz'), '--from', 'yesterday-ish');
    expect(badTime.code).toBe(3);
    expect(badTime.stderr).toMatch(/--from: cannot read time "yesterday-ish"/);
    const missing = usewatch('check', '--replay', join(dir, 'nothing-here'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/nothing-here/);
    const garbage = join(dir, 'garbage.ndjson.gz');
    writeFileSync(garbage, 'not a recording\n');
    const replayed = usewatch('replay', garbage, '--format', 'summary');
    expect(replayed.code).toBe(1);
    expect(replayed.stderr).toMatch(/no frames in .*garbage\.ndjson\.gz/);
  });

  it('gives JSON consumers an UNKNOWN document naming every checklist problem', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'rules:\n  - id: x\n    resource: cpu\n    dimension: saturation\n    metric: cpu.nope\n    warn: 1\n',
    );
    const r = usewatch('check', '--format', 'json', '--checklist', bad);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as { status: string; problems: string[] };
    expect(doc.status).toBe('UNKNOWN');
    expect(doc.problems).toContain(`${bad}:5:13: rules[0].metric: unknown metric "cpu.nope" (not in the catalog)`);
  });
});
