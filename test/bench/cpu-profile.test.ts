import { describe, expect, it } from 'vitest';
import { type CpuProfile, profileBucket, summariseProfile } from '../../bench/whole/cpu-profile.js';

const ROOT = 'file:///opt/usewatch/dist';

/** A hand-made profile: 1 ms between samples, starting at 1 s (µs), over six nodes. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '' } },
    { id: 2, callFrame: { functionName: '(idle)', url: '' } },
    { id: 3, callFrame: { functionName: 'parseStat', url: `${ROOT}/collectors/process/stat.js` } },
    { id: 4, callFrame: { functionName: 'renderMetrics', url: `${ROOT}/src/outputs/prometheus/render.js` } },
    { id: 5, callFrame: { functionName: '(garbage collector)', url: '' } },
    { id: 6, callFrame: { functionName: 'readSync', url: 'node:fs' } },
  ],
  startTime: 1_000_000,
  // samples at 1, 2, …, 8 ms; the profile ends at 10 ms
  samples: [2, 3, 3, 4, 5, 6, 2, 3],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  endTime: 1_010_000,
};

describe('profileBucket', () => {
  it('names the module folder of the built agent, with outputs split by output', () => {
    expect(profileBucket('f', `${ROOT}/collectors/cpu.js`)).toBe('collectors/');
    expect(profileBucket('f', `${ROOT}/src/derive/cpu.js`)).toBe('src/derive');
    expect(profileBucket('f', `${ROOT}/src/outputs/prometheus/render.js`)).toBe('src/outputs/prometheus');
    expect(profileBucket('f', `${ROOT}/src/feed/server.js`)).toBe('src/feed');
    expect(profileBucket('main', `${ROOT}/bin/usewatch.js`)).toBe('bin/');
  });

  it('tells dependencies, Node modules, native code and V8 pseudo-frames apart', () => {
    expect(profileBucket('f', 'file:///opt/usewatch/node_modules/pino/pino.js')).toBe('dependencies (node_modules)');
    expect(profileBucket('readFileSync', 'node:fs')).toBe("Node's own modules (node:)");
    expect(profileBucket('JSON.stringify', '')).toBe('native and V8 builtins');
    expect(profileBucket('(garbage collector)', '')).toBe('GC');
    expect(profileBucket('(program)', '')).toBe('(program)');
    expect(profileBucket('(idle)', '')).toBe('(idle)');
  });
});

describe('summariseProfile', () => {
  it('charges each sample the time to the next one, the last one to the end, so shares add up to the wall time', () => {
    const shares = summariseProfile(profile);
    const ms = Object.fromEntries(shares.map((s) => [s.bucket, s.ms]));
    expect(ms).toEqual({
      '(idle)': 1 + 1,
      'collectors/': 1 + 1 + 2,
      'src/outputs/prometheus': 1,
      GC: 1,
      "Node's own modules (node:)": 1,
    });
    expect(shares[0].bucket).toBe('collectors/');
    expect(shares.reduce((a, s) => a + s.share, 0)).toBeCloseTo(1, 9);
  });

  it('keeps only the samples inside the window', () => {
    // samples at 4, 5 and 6 ms: render, GC, readSync
    const shares = summariseProfile(profile, 3.5, 6.5);
    expect(shares.map((s) => s.bucket).sort()).toEqual(['GC', "Node's own modules (node:)", 'src/outputs/prometheus']);
    expect(shares.every((s) => s.ms === 1)).toBe(true);
  });

  it('says what is wrong with a file that is not a whole V8 profile', () => {
    expect(() => summariseProfile({ ...profile, timeDeltas: [1000] })).toThrow(/8 samples but 1 timeDeltas/);
    expect(() => summariseProfile({ ...profile, samples: [...profile.samples.slice(0, 7), 42] })).toThrow(
      /sample 7 names node 42/,
    );
  });
});
