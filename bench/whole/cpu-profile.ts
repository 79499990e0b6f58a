/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a self-time breakdown needs. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
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

/**
 * Self time per bucket over the samples taken from `fromMs` to `toMs` after the profile started: each
 * sample is charged the time until the next one (the last, until the profile's end), so the shares
 * add up to the window's wall time.
 */
export function summariseProfile(profile: CpuProfile, fromMs = 0, toMs = Number.POSITIVE_INFINITY): ProfileShare[] {
  if (profile.samples.length !== profile.timeDeltas.length) {
    throw new Error(
      `cpuprofile: ${profile.samples.length} samples but ${profile.timeDeltas.length} timeDeltas; the file is cut or not a V8 profile`,
    );
  }
  const bucketOf = new Map(profile.nodes.map((n) => [n.id, profileBucket(n.callFrame.functionName, n.callFrame.url)]));
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
