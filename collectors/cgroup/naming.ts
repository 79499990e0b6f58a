import type { CgroupRuntime } from '../../src/model/cgroup.js';
import type { CgroupIdentity } from './sample.js';

/**
 * Which cgroups are workloads, and who they are, from the cgroup path alone (pure). A workload is a
 * systemd service or scope, a container, or a Kubernetes pod; slices are groupings of those and are
 * not carried themselves. Runtime files add names later (runtime-names.ts).
 *
 * Paths are accepted only when every character is printable ASCII other than a space: systemd unit
 * names, container ids and kubelet's pod cgroups are all made of those, so an id can be shown, used as
 * an instance and as a Prometheus label value without escaping.
 */

/** Short container id, as `docker ps` shows it. */
export const SHORT_ID_LENGTH = 12;

/** Longest cgroup path taken as an id: 8 levels of 255-byte names fit well within it. */
const MAX_PATH = 2048;

const SEGMENT = /^[\x21-\x2e\x30-\x7e]{1,255}$/;

/** systemd unit names: ASCII letters, digits, ":", "-", "_", ".", "\" and "@" (systemd.unit(5)), at most 255 bytes. */
const UNIT = /^[A-Za-z0-9:_.\\@-]{1,247}\.(service|scope)$/;

/**
 * Container cgroups by runtime: the systemd driver's scope units and the cgroupfs driver's bare
 * directories. "libpod-conmon-…" and "crio-conmon-…" hold the monitor process, not the container:
 * they do not match here and are named as the scopes they are.
 */
const CONTAINER_SEGMENTS: readonly { pattern: RegExp; runtime: CgroupRuntime }[] = [
  { pattern: /^docker-([0-9a-f]{64})\.scope$/, runtime: 'docker' },
  { pattern: /^libpod-([0-9a-f]{64})(?:\.scope)?$/, runtime: 'podman' },
  { pattern: /^cri-containerd-([0-9a-f]{64})\.scope$/, runtime: 'containerd' },
  { pattern: /^crio-([0-9a-f]{64})(?:\.scope)?$/, runtime: 'cri-o' },
];

const BARE_ID = /^[0-9a-f]{64}$/;

/** A pod uid: a UUID, or 32 hex digits for a static pod (a hash of its manifest). */
const UID = '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32}';

/** kubelet's systemd driver ("kubepods-burstable-pod<uid with _>.slice"; "kubelet-" prefix in kind nodes). */
const POD_SLICE = new RegExp(`^(?:kubelet-)?kubepods(?:-burstable|-besteffort)?-pod(${UID})\\.slice$`);

/** kubelet's cgroupfs driver ("pod<uid>" below a "kubepods" directory). */
const POD_DIR = new RegExp(`^pod(${UID})$`);

/** The leading segments of the path that may be part of an id (all of them for a well-formed id). */
function segmentsOf(path: string): string[] {
  if (path.length > MAX_PATH || !path.startsWith('/')) return [];
  const segments = path.slice(1).split('/');
  const bad = segments.findIndex((s) => !SEGMENT.test(s));
  return bad < 0 ? segments : segments.slice(0, bad);
}

/** The pod uid a segment names, given the segments above it; undefined when it is no pod cgroup. */
function podUidOf(segment: string, above: readonly string[]): string | undefined {
  const slice = POD_SLICE.exec(segment);
  if (slice !== null) return slice[1].replaceAll('_', '-');
  const dir = POD_DIR.exec(segment);
  if (dir !== null && above.includes('kubepods')) return dir[1];
  return undefined;
}

/** The nearest pod above `depth` (exclusive), for a container nested in it. */
function enclosingPodUid(segments: readonly string[], depth: number): string | undefined {
  for (let i = depth - 1; i >= 0; i--) {
    const uid = podUidOf(segments[i], segments.slice(0, i));
    if (uid !== undefined) return uid;
  }
  return undefined;
}

function containerOf(segments: readonly string[], id: string): CgroupIdentity | undefined {
  const last = segments[segments.length - 1];
  const podUid = enclosingPodUid(segments, segments.length - 1);
  for (const { pattern, runtime } of CONTAINER_SEGMENTS) {
    const m = pattern.exec(last);
    if (m !== null) return container(id, m[1], runtime, podUid);
  }
  if (!BARE_ID.test(last)) return undefined;
  if (podUid !== undefined) return container(id, last, 'kubernetes', podUid);
  if (segments[segments.length - 2] === 'docker') return container(id, last, 'docker', undefined);
  return undefined;
}

function container(
  id: string,
  containerId: string,
  runtime: CgroupRuntime,
  podUid: string | undefined,
): CgroupIdentity {
  const identity: CgroupIdentity = {
    id,
    kind: 'container',
    name: containerId.slice(0, SHORT_ID_LENGTH),
    runtime,
    containerId,
  };
  if (podUid !== undefined) identity.podUid = podUid;
  return identity;
}

/** Who the cgroup at `path` (below the hierarchy root, "/system.slice/nginx.service") is; undefined when no workload. */
export function identify(path: string): CgroupIdentity | undefined {
  const segments = segmentsOf(path);
  if (segments.length === 0 || `/${segments.join('/')}` !== path) return undefined;
  return identifySegments(segments, path);
}

function identifySegments(segments: readonly string[], id: string): CgroupIdentity | undefined {
  const found = containerOf(segments, id);
  if (found !== undefined) return found;
  const last = segments[segments.length - 1];
  const podUid = podUidOf(last, segments.slice(0, -1));
  if (podUid !== undefined) return { id, kind: 'pod', name: `pod${podUid}`, runtime: 'kubernetes', podUid };
  const unit = UNIT.exec(last);
  if (unit !== null) return { id, kind: unit[1] === 'service' ? 'service' : 'scope', name: last, runtime: 'systemd' };
  return undefined;
}

/**
 * The id of the nearest workload cgroup enclosing `path` (the path itself included): a process in
 * "/system.slice/docker-<id>.scope/init" belongs to that docker scope, one in a pod's container to
 * the container. Undefined for processes in no workload (the root, a slice, kernel threads).
 */
export function workloadCgroupOf(path: string): string | undefined {
  const segments = segmentsOf(path);
  for (let n = segments.length; n > 0; n--) {
    const prefix = segments.slice(0, n);
    const id = `/${prefix.join('/')}`;
    if (identifySegments(prefix, id) !== undefined) return id;
  }
  return undefined;
}
