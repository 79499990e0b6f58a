import { performance } from 'node:perf_hooks';
import type { CgroupKind } from '../../src/model/cgroup.js';
import type { SourceStatus } from '../../src/model/source-report.js';
import type { ProcFs, SourceLog } from '../procfs.js';
import { identify } from './naming.js';
import { RuntimeNames } from './runtime-names.js';
import type { CgroupDiscovery, CgroupIdentity, V1Controller, WorkloadCgroup } from './sample.js';

/**
 * Finds the host's workload cgroups by walking its cgroup hierarchies: the v2 tree (the whole
 * /sys/fs/cgroup on a pure v2 host, /sys/fs/cgroup/unified on a hybrid one) and the v1 trees of the
 * controllers read per cgroup, merged by path below each hierarchy's root. Walks are bounded in
 * depth and directory count and made every `rewalkMs`, not every tick: between walks the list stays
 * as it was (a cgroup removed meanwhile is the reader's absent file; a new one waits for the walk).
 */

export interface CgroupDiscoveryOptions {
  /** Time between walks, ms. */
  rewalkMs?: number;
  /** Levels below a hierarchy's root that are walked. */
  maxDepth?: number;
  /** Directories visited per walk over all hierarchies; the walk stops there and says so. */
  maxDirs?: number;
  /** Monotonic clock, ms. */
  now?: () => number;
}

export const CGROUP_ROOT = 'sys/fs/cgroup';

const V1_CONTROLLERS: readonly V1Controller[] = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'];

/** Where the hierarchies are mounted, relative to the ProcFs root. */
export interface CgroupLayout {
  kind: 'v2' | 'hybrid' | 'v1' | 'none';
  v2Root?: string;
  v1Roots: Partial<Record<V1Controller, string>>;
}

/**
 * The layout from what is mounted under sys/fs/cgroup: cgroup.controllers at the top is a pure v2
 * host; otherwise each v1 controller is the directory whose comma-separated name holds it
 * ("cpu,cpuacct", or "cpu" where the controllers are mounted apart), and a v2 tree at "unified"
 * makes the host hybrid. A co-mounted pair maps to the one directory, so its tree is walked once.
 */
export function detectLayout(fs: ProcFs): CgroupLayout {
  if (fs.readOnce(`${CGROUP_ROOT}/cgroup.controllers`).ok) return { kind: 'v2', v2Root: CGROUP_ROOT, v1Roots: {} };
  const listing = fs.listDir(CGROUP_ROOT);
  const v1Roots: Partial<Record<V1Controller, string>> = {};
  const entries = listing.ok ? listing.names : [];
  const combinedFirst = [...entries].sort((a, b) => Number(b.includes(',')) - Number(a.includes(',')));
  for (const entry of combinedFirst) {
    for (const controller of entry.split(',')) {
      const c = controller as V1Controller;
      if (V1_CONTROLLERS.includes(c) && v1Roots[c] === undefined) v1Roots[c] = `${CGROUP_ROOT}/${entry}`;
    }
  }
  const unified = `${CGROUP_ROOT}/unified`;
  const hasUnified = fs.readOnce(`${unified}/cgroup.controllers`).ok;
  const hasV1 = Object.keys(v1Roots).length > 0;
  if (hasUnified) return { kind: hasV1 ? 'hybrid' : 'v2', v2Root: unified, v1Roots };
  return { kind: hasV1 ? 'v1' : 'none', v1Roots };
}

/** A workload seen on this walk, with the hierarchy roots its directory was found under. */
interface Seen {
  identity: CgroupIdentity;
  roots: Set<string>;
}

/** One walk's bounds and what they cut, and the directories that could not be listed. */
class Walk {
  dirs = 0;
  deeperSkipped = 0;
  stopped = false;
  unreadable = 0;
  firstUnreadable: { status: SourceStatus; reason: string } | undefined;
  readonly seen = new Map<string, Seen>();

  constructor(
    readonly maxDirs: number,
    readonly maxDepth: number,
  ) {}

  /** Breadth first, so that a walk cut short has the shallow cgroups (services, pods) rather than deep ones. */
  tree(fs: ProcFs, root: string): void {
    let level = [''];
    for (let depth = 1; level.length > 0 && !this.stopped; depth++) {
      const next: string[] = [];
      for (const id of level) {
        const children = this.children(fs, root, id);
        if (depth > this.maxDepth) this.deeperSkipped += children.length;
        else next.push(...this.admit(root, id, children));
        if (this.stopped) break;
      }
      level = next;
    }
  }

  /**
   * Visits the children of `id` while the directory budget lasts, and returns those to walk further:
   * not a container's, whose children ("init", "container", a nested runtime's) are its own
   * processes. Each directory listed costs a readdir of its 30-odd interface files, and containers
   * are most of the cgroups of a busy host.
   */
  private admit(root: string, id: string, children: readonly string[]): string[] {
    const admitted: string[] = [];
    for (const name of children) {
      if (this.dirs >= this.maxDirs) {
        this.stopped = true;
        break;
      }
      this.dirs++;
      const child = `${id}/${name}`;
      if (this.visit(root, child) !== 'container') admitted.push(child);
    }
    return admitted;
  }

  private children(fs: ProcFs, root: string, id: string): string[] {
    const listing = fs.listSubdirs(`${root}${id}`);
    if (listing.ok) return listing.names;
    // a cgroup removed since its parent was listed is normal
    if (listing.status === 'absent') return [];
    this.unreadable++;
    this.firstUnreadable ??= { status: listing.status, reason: `${root}${id}: ${listing.reason}` };
    return [];
  }

  /** Records a workload found under `root`; its kind, or undefined for any other directory. */
  private visit(root: string, id: string): CgroupKind | undefined {
    let seen = this.seen.get(id);
    if (seen === undefined) {
      const identity = identify(id);
      if (identity === undefined) return undefined;
      seen = { identity, roots: new Set() };
      this.seen.set(id, seen);
    }
    seen.roots.add(root);
    return seen.identity.kind;
  }

  report(log: SourceLog, layout: CgroupLayout, workloads: number): void {
    if (this.firstUnreadable !== undefined) {
      const { status, reason } = this.firstUnreadable;
      log.report(CGROUP_ROOT, status, `${this.unreadable} cgroup directories unreadable, first: ${reason}`);
    }
    if (this.stopped) {
      log.report(
        CGROUP_ROOT,
        'failed',
        `walk stopped at ${this.maxDirs} directories: cgroups beyond them are not read`,
      );
    }
    if (this.deeperSkipped > 0) {
      log.report(
        CGROUP_ROOT,
        'failed',
        `${this.deeperSkipped} directories deeper than ${this.maxDepth} levels not walked: cgroups below them are not read`,
      );
    }
    if (!this.stopped && this.deeperSkipped === 0 && this.firstUnreadable === undefined) {
      log.report(CGROUP_ROOT, 'ok', `${layout.kind}: ${workloads} workload cgroups in ${this.dirs} directories`);
    }
  }
}

/** The directories a workload's files are read from, by the hierarchies it was found in. */
function workloadOf(identity: CgroupIdentity, roots: Set<string>, layout: CgroupLayout): WorkloadCgroup {
  const workload: WorkloadCgroup = { identity, v1Dirs: {} };
  if (layout.v2Root !== undefined && roots.has(layout.v2Root)) workload.v2Dir = `${layout.v2Root}${identity.id}`;
  for (const controller of V1_CONTROLLERS) {
    const root = layout.v1Roots[controller];
    if (root !== undefined && roots.has(root)) workload.v1Dirs[controller] = `${root}${identity.id}`;
  }
  return workload;
}

class Discovery implements CgroupDiscovery {
  private readonly rewalkMs: number;
  private readonly maxDepth: number;
  private readonly maxDirs: number;
  private readonly now: () => number;
  private readonly names = new RuntimeNames();
  private found: readonly WorkloadCgroup[] = [];
  private lastWalk = Number.NEGATIVE_INFINITY;
  private absentReported = false;

  constructor(options: CgroupDiscoveryOptions) {
    this.rewalkMs = options.rewalkMs ?? 10_000;
    this.maxDepth = options.maxDepth ?? 8;
    this.maxDirs = options.maxDirs ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  workloads(log: SourceLog): readonly WorkloadCgroup[] {
    const now = this.now();
    if (now - this.lastWalk < this.rewalkMs) return this.found;
    this.lastWalk = now;
    this.found = this.walk(log);
    return this.found;
  }

  private walk(log: SourceLog): WorkloadCgroup[] {
    const layout = detectLayout(log.fs);
    if (layout.kind === 'none') {
      if (!this.absentReported) log.report(CGROUP_ROOT, 'absent', 'no cgroup v1 controller or v2 hierarchy mounted');
      this.absentReported = true;
      return [];
    }
    this.absentReported = false;
    const walk = new Walk(this.maxDirs, this.maxDepth);
    const roots = new Set([layout.v2Root, ...Object.values(layout.v1Roots)]);
    for (const root of roots) if (root !== undefined) walk.tree(log.fs, root);
    const seen = [...walk.seen.values()].sort((a, b) => (a.identity.id < b.identity.id ? -1 : 1));
    const identities = this.names.resolve(
      seen.map((s) => s.identity),
      log,
    );
    walk.report(log, layout, seen.length);
    return identities.map((identity, i) => workloadOf(identity, seen[i].roots, layout));
  }
}

export function createCgroupDiscovery(options: CgroupDiscoveryOptions = {}): CgroupDiscovery {
  return new Discovery(options);
}
