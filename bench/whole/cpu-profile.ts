import type { SourceMap } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a self-time breakdown needs. */
export interface CpuProfile {
  nodes: {
    id: number;
    /** lineNumber and columnNumber (0-based) are where the function starts in its script. */
    callFrame: { functionName: string; url: string; lineNumber?: number; columnNumber?: number };
    children?: number[];
  }[];
  /** Microseconds. */
  startTime: number;
  endTime: number;
  /** The node id on top of the stack at each sample. */
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime). */
  timeDeltas: number[];
}

export interface ProfileShare {
  bucket: string;
  ms: number;
  /** Of all sampled time in the window, idle included. */
  share: number;
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/**
 * Where a function's code lives: the module folder of the built agent (`collectors/`, `src/derive`,
 * `src/outputs/prometheus`), a dependency, Node's own modules, native code, or one of V8's
 * pseudo-frames (GC, `(program)`: native code outside JavaScript, `(idle)`: waiting in the event loop).
 */
export function profileBucket(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (SPECIAL.has(functionName)) return functionName;
  if (url.includes('/node_modules/')) return 'dependencies (node_modules)';
  const built = /\/dist\/(collectors|bin|bench|src\/outputs\/[^/]+|src\/[^/]+)\//.exec(url);
  if (built !== null) return built[1] === 'collectors' || built[1] === 'bin' ? `${built[1]}/` : built[1];
  if (url.startsWith('node:')) return "Node's own modules (node:)";
  // No script: V8 builtins and Node's C++ bindings, where the file system calls themselves are.
  if (url === '') return 'native and V8 builtins';
  return 'other';
}

/** Each node's module folder (`profileBucket`). */
export function folderBuckets(profile: CpuProfile): Map<number, string> {
  return new Map(profile.nodes.map((n) => [n.id, profileBucket(n.callFrame.functionName, n.callFrame.url)]));
}

/**
 * Time per bucket (each node's module folder by default, or `bucketOf`: `nodeJobs`) over the samples
 * taken from `fromMs` to `toMs` after the profile started: each sample is charged the time until the
 * next one (the last, until the profile's end), so the shares add up to the window's wall time.
 */
export function summariseProfile(
  profile: CpuProfile,
  fromMs = 0,
  toMs = Number.POSITIVE_INFINITY,
  bucketOf: ReadonlyMap<number, string> = folderBuckets(profile),
): ProfileShare[] {
  if (profile.samples.length !== profile.timeDeltas.length) {
    throw new Error(
      `cpuprofile: ${profile.samples.length} samples but ${profile.timeDeltas.length} timeDeltas; the file is cut or not a V8 profile`,
    );
  }
  const totals = new Map<string, number>();
  const from = profile.startTime + fromMs * 1000;
  const to = profile.startTime + toMs * 1000;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    const next = i + 1 < profile.samples.length ? at + profile.timeDeltas[i + 1] : profile.endTime;
    if (at < from || at >= to) continue;
    const bucket = bucketOf.get(profile.samples[i]);
    if (bucket === undefined)
      throw new Error(`cpuprofile: sample ${i} names node ${profile.samples[i]}, which is not in nodes`);
    totals.set(bucket, (totals.get(bucket) ?? 0) + Math.max(0, next - at));
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals.entries()]
    .map(([bucket, us]) => ({ bucket, ms: us / 1000, share: all === 0 ? 0 : us / all }))
    .sort((a, b) => b.ms - a.ms);
}

/** Modules that serve whoever calls them: the file reader and scanner the collectors share, the text sanitiser. */
const SHARED = /^(collectors\/(procfs|parse|types|optional|facts-cache|collector)|src\/text\/.*)$/;

/** Module paths of the built agent (without `.js`) → the job they do in the agent's second, first match wins. */
const JOBS: readonly [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^collectors\/(process\/.*|users)$/, 'collect: processes'],
  [/^collectors\/cgroup\//, 'collect: cgroups'],
  [/^collectors\/([a-z-]+)$/, (m) => `collect: ${m[1]}`],
  [/^src\/derive\/counters$/, 'counters section'],
  [/^src\/derive\/(types|counter|units)$/, 'derive: metric sink and deltas'],
  [/^src\/derive\/([a-z-]+)$/, (m) => `derive: ${m[1]}`],
  [/^src\/(use|checklist)\/|^src\/agent\/(evaluator|recording-problems)$/, 'evaluate checklist'],
  [/^src\/pipeline\/(engine|families|carried-cgroups|host-facts)$/, 'build frame (engine)'],
  [/^src\/model\//, 'serialise frame'],
  [/^src\/feed\//, 'feed'],
  [/^src\/outputs\/recorder\//, 'recorder'],
  [/^src\/outputs\/prometheus\//, '/metrics render and gzip'],
  [/^src\/server\/|^src\/self\//, 'HTTP server'],
  [/^src\/log\//, 'logging'],
  [/^src\/pipeline\/|^src\/agent\/|^src\/systemd\//, 'tick loop, bus, health, systemd'],
];

/**
 * The job of a frame's module: a collector by family, a deriver, the checklist, the frame, /metrics,
 * logging…; undefined for code that works for its caller (the shared reader and scanner, Node's own
 * modules, native code and V8 builtins), whose time is the caller's.
 */
export function moduleJob(url: string): string | undefined {
  if (url.includes('/node_modules/')) {
    return /\/node_modules\/(pino|sonic-boom|thread-stream|pino-std-serializers)\//.test(url)
      ? 'logging'
      : 'dependencies';
  }
  const built = /\/dist\/(.+)\.js$/.exec(url);
  if (built === null || SHARED.test(built[1])) return undefined;
  for (const [pattern, job] of JOBS) {
    const m = pattern.exec(built[1]);
    if (m !== null) return typeof job === 'string' ? job : job(m);
  }
  return 'other agent code';
}

/** Node's own work with no agent code on the stack: the socket and HTTP parsing of a scrape, timers. */
function nodeJob(url: string): string {
  if (/_http|net|stream|tls|socket/.test(url)) return 'HTTP and sockets (Node, before the router)';
  if (/timers/.test(url)) return 'timers (Node)';
  return "Node's own modules (other)";
}

/**
 * What each profile node's time is spent on: the job of the innermost frame on its stack that has one
 * (`moduleJob`), so that a file read or a builtin is charged to the collector or output that called it;
 * on a stack with no agent code, GC, (program), (idle), or what Node was doing.
 */
export function nodeJobs(profile: CpuProfile): Map<number, string> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const jobs = new Map<number, string>();
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName;
    if (SPECIAL.has(name)) {
      jobs.set(n.id, name === '(garbage collector)' ? 'GC (main thread)' : name);
      continue;
    }
    let nodeUrl: string | undefined;
    let job: string | undefined;
    for (let at: number | undefined = n.id; at !== undefined && job === undefined; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url ?? '';
      job = moduleJob(url);
      if (nodeUrl === undefined && url.startsWith('node:')) nodeUrl = url;
    }
    jobs.set(n.id, job ?? (nodeUrl === undefined ? 'native code, no JavaScript caller' : nodeJob(nodeUrl)));
  }
  return jobs;
}

/**
 * Each node's function with its module (`readSync (node:fs)`, `render (src/outputs/prometheus/family)`),
 * so that the window can be summed by function too.
 */
export function functionBuckets(profile: CpuProfile): Map<number, string> {
  return new Map(
    profile.nodes.map((n) => {
      const { functionName, url } = n.callFrame;
      const where =
        /\/dist\/(.+)\.js$/.exec(url)?.[1] ??
        (url.includes('/node_modules/') ? url.slice(url.lastIndexOf('/node_modules/') + 14) : url);
      return [n.id, where === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} (${where})`];
    }),
  );
}

/** A file of the bundled CLI (build/bundle-cli.mjs) in a build's dist/bin. */
const BUNDLE_FILE = /^(file:\/\/.*)\/dist\/bin\/[^/]+\.js$/;

/**
 * The CLI is bundled, so a profile of the agent names the bundle's files in dist/bin. Each function's
 * url becomes the module it was built from, by that file's source map (`sourceMapOf`): the project's
 * own as tsc builds them (`dist/src/…/x.js`, `dist/collectors/…`), a bundled package's under
 * node_modules; the buckets by folder, by job and by function then read a bundled agent as they read
 * one built module by module. Functions a map does not cover keep their url.
 */
export function unbundleProfile(profile: CpuProfile, sourceMapOf: (url: string) => SourceMap | undefined): CpuProfile {
  const nodes = profile.nodes.map((n) => {
    const { url, lineNumber, columnNumber } = n.callFrame;
    const bundle = BUNDLE_FILE.exec(url);
    const map = bundle === null ? undefined : sourceMapOf(url);
    if (bundle === null || map === undefined || lineNumber === undefined || columnNumber === undefined) return n;
    const source = (map.findEntry(lineNumber, columnNumber) as { originalSource?: string }).originalSource;
    if (source === undefined) return n;
    const root = fileURLToPath(bundle[1]);
    const rel = relative(root, fileURLToPath(new URL(source, url)));
    const built = rel.startsWith('node_modules/') ? join(root, rel) : join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    return { ...n, callFrame: { ...n.callFrame, url: pathToFileURL(built).href } };
  });
  return { ...profile, nodes };
}
