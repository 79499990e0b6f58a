import { SourceMap } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  type CpuProfile,
  moduleJob,
  nodeJobs,
  profileBucket,
  summariseProfile,
  unbundleProfile,
} from '../../bench/whole/cpu-profile.js';

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

describe('moduleJob', () => {
  it('names the job of a module of the built agent: a collector by family, a deriver, an output', () => {
    expect(moduleJob(`${ROOT}/collectors/cpu.js`)).toBe('collect: cpu');
    expect(moduleJob(`${ROOT}/collectors/process/stat.js`)).toBe('collect: processes');
    expect(moduleJob(`${ROOT}/collectors/cgroup/read.js`)).toBe('collect: cgroups');
    expect(moduleJob(`${ROOT}/src/derive/processes.js`)).toBe('derive: processes');
    expect(moduleJob(`${ROOT}/src/derive/counters.js`)).toBe('counters section');
    expect(moduleJob(`${ROOT}/src/use/evaluator.js`)).toBe('evaluate checklist');
    expect(moduleJob(`${ROOT}/src/outputs/prometheus/exporter.js`)).toBe('/metrics render and gzip');
    expect(moduleJob('file:///opt/usewatch/node_modules/pino/lib/proto.js')).toBe('logging');
  });

  it('has none for the modules that work for their caller: the shared reader, Node, native code', () => {
    expect(moduleJob(`${ROOT}/collectors/procfs.js`)).toBeUndefined();
    expect(moduleJob(`${ROOT}/collectors/parse.js`)).toBeUndefined();
    expect(moduleJob('node:fs')).toBeUndefined();
    expect(moduleJob('')).toBeUndefined();
  });
});

describe('nodeJobs', () => {
  // (root) → tick (engine) → read (cpu collector) → readKept (procfs) → readSync (node:fs) → native read;
  // (root) → parserOnIncoming (node:_http_server) → native; (root) → GC; (root) → (idle)
  const stacks: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 7, 9, 10] },
      { id: 2, callFrame: { functionName: 'tick', url: `${ROOT}/src/pipeline/engine.js` }, children: [3] },
      { id: 3, callFrame: { functionName: 'read', url: `${ROOT}/collectors/cpu.js` }, children: [4] },
      { id: 4, callFrame: { functionName: 'readKept', url: `${ROOT}/collectors/procfs.js` }, children: [5] },
      { id: 5, callFrame: { functionName: 'readSync', url: 'node:fs' }, children: [6] },
      { id: 6, callFrame: { functionName: 'read', url: '' } },
      { id: 7, callFrame: { functionName: 'parserOnIncoming', url: 'node:_http_server' }, children: [8] },
      { id: 8, callFrame: { functionName: 'writev', url: '' } },
      { id: 9, callFrame: { functionName: '(garbage collector)', url: '' } },
      { id: 10, callFrame: { functionName: '(idle)', url: '' } },
    ],
    startTime: 0,
    samples: [6, 6, 4, 8, 9, 10, 2],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
    endTime: 8000,
  };

  it('charges a file read or a builtin to the collector or output on the stack that called it', () => {
    const jobs = nodeJobs(stacks);
    expect(jobs.get(6)).toBe('collect: cpu');
    expect(jobs.get(4)).toBe('collect: cpu');
    expect(jobs.get(2)).toBe('build frame (engine)');
    expect(jobs.get(8)).toBe('HTTP and sockets (Node, before the router)');
    expect(jobs.get(9)).toBe('GC (main thread)');
  });

  it('sums the window by job', () => {
    const ms = Object.fromEntries(summariseProfile(stacks, 0, 8, nodeJobs(stacks)).map((s) => [s.bucket, s.ms]));
    expect(ms).toEqual({
      'collect: cpu': 3,
      'HTTP and sockets (Node, before the router)': 1,
      'GC (main thread)': 1,
      '(idle)': 1,
      'build frame (engine)': 1,
    });
  });
});

describe('unbundleProfile', () => {
  // A bundle file whose line 0 came from src/derive/cpu.ts and line 1 from pino (source map v3).
  const chunk = `${ROOT}/bin/chunk-ABC.js`;
  const map = new SourceMap({
    version: 3,
    file: 'chunk-ABC.js',
    sourceRoot: '',
    sources: ['../../src/derive/cpu.ts', '../../node_modules/pino/pino.js'],
    sourcesContent: [],
    names: [],
    mappings: 'AAAA;ACAA',
  });
  const bundled: CpuProfile = {
    ...profile,
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' } },
      { id: 2, callFrame: { functionName: 'deriveCpu', url: chunk, lineNumber: 0, columnNumber: 4 } },
      { id: 3, callFrame: { functionName: 'write', url: chunk, lineNumber: 1, columnNumber: 2 } },
      { id: 4, callFrame: { functionName: 'main', url: `${ROOT}/bin/usewatch.js`, lineNumber: 0, columnNumber: 0 } },
    ],
    samples: [2, 3, 4],
    timeDeltas: [1000, 1000, 1000],
  };

  it('charges the bundled CLI’s functions to the modules they were built from, by the source map', () => {
    const nodes = unbundleProfile(bundled, (url) => (url === chunk ? map : undefined)).nodes;
    expect(nodes.map((n) => n.callFrame.url)).toEqual([
      '',
      `${ROOT}/src/derive/cpu.js`,
      'file:///opt/usewatch/node_modules/pino/pino.js',
      `${ROOT}/bin/usewatch.js`,
    ]);
    expect(nodes.map((n) => profileBucket(n.callFrame.functionName, n.callFrame.url))).toEqual([
      '(root)',
      'src/derive',
      'dependencies (node_modules)',
      'bin/',
    ]);
  });
});
