import { utf8 } from '../process/utf8.js';
import type { SourceLog } from '../procfs.js';
import { ParseError } from '../types.js';
import type { CgroupIdentity } from './sample.js';

/**
 * Names of containers and pods from the runtimes' local files, read-only and without sockets or API
 * calls: kubelet's log directories, docker's per-container config and podman's container list. The
 * text is raw (derive sanitises what it puts in frames); only its length is bounded here.
 */

/** Longest name kept: a DNS name's 253 characters, the longest a Kubernetes object name may be. */
export const MAX_NAME_LENGTH = 253;

/** docker's config.v2.json is a few KiB; a larger one is read no further and its container keeps its short id. */
export const DOCKER_CONFIG_BYTES = 64 * 1024;

/** podman's containers.json holds every container, about 1 KiB each. */
export const PODMAN_CONTAINERS_BYTES = 4 * 1024 * 1024;

const POD_LOGS = 'var/log/pods';
const CONTAINER_LOGS = 'var/log/containers';
const PODMAN_CONTAINERS = 'var/lib/containers/storage/overlay-containers/containers.json';
const dockerConfig = (id: string) => `var/lib/docker/containers/${id}/config.v2.json`;

const HEX64 = /^[0-9a-f]{64}$/;

export function capName(name: string): string {
  if (name.length <= MAX_NAME_LENGTH) return name;
  const cut = name.slice(0, MAX_NAME_LENGTH);
  // a cut through a surrogate pair would leave half a character
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

export interface PodName {
  namespace: string;
  pod: string;
  uid: string;
}

/** A directory of /var/log/pods, "<namespace>_<pod>_<uid>" (neither namespace nor pod names may hold "_"). */
export function parsePodLogDir(name: string): PodName | undefined {
  const first = name.indexOf('_');
  const last = name.lastIndexOf('_');
  if (first <= 0 || last <= first + 1 || last === name.length - 1) return undefined;
  return {
    namespace: capName(name.slice(0, first)),
    pod: capName(name.slice(first + 1, last)),
    uid: name.slice(last + 1),
  };
}

export interface ContainerName {
  namespace: string;
  pod: string;
  container: string;
  containerId: string;
}

const CONTAINER_LOG = /^([^_]+)_([^_]+)_(.+)-([0-9a-f]{64})\.log$/;

/** A link of /var/log/containers, "<pod>_<namespace>_<container>-<container id>.log". */
export function parseContainerLogName(name: string): ContainerName | undefined {
  const m = CONTAINER_LOG.exec(name);
  if (m === null) return undefined;
  return { pod: capName(m[1]), namespace: capName(m[2]), container: capName(m[3]), containerId: m[4] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ParseError(`invalid JSON: ${(err as Error).message}`);
  }
}

/** The container's name from docker's config.v2.json: "Name", without its leading "/". */
export function parseDockerConfigName(text: string): string {
  const config = parseJson(text) as { Name?: unknown } | null;
  const name = typeof config === 'object' && config !== null ? config.Name : undefined;
  if (typeof name !== 'string' || name.replace(/^\//, '') === '') throw new ParseError('no "Name" string');
  return capName(name.replace(/^\//, ''));
}

/** Container id → first name, from podman's containers.json (an array of { id, names }). */
export function parsePodmanContainers(text: string): Map<string, string> {
  const list = parseJson(text);
  if (!Array.isArray(list)) throw new ParseError('expected an array of containers');
  const names = new Map<string, string>();
  for (const entry of list as { id?: unknown; names?: unknown }[]) {
    if (typeof entry !== 'object' || entry === null || typeof entry.id !== 'string' || !HEX64.test(entry.id)) continue;
    const first = Array.isArray(entry.names) ? entry.names[0] : undefined;
    if (typeof first === 'string' && first !== '') names.set(entry.id, capName(first));
  }
  return names;
}

/**
 * The runtime files of one walk, each read at most once and only when a cgroup needs it. Absent
 * files are normal (no such runtime, or its directory not visible to the agent) and not reported;
 * denied and damaged ones are.
 */
class WalkLookups {
  private pods: Map<string, PodName> | undefined;
  private containers: Map<string, ContainerName> | undefined;
  private podman: Map<string, string> | undefined;

  constructor(private readonly log: SourceLog) {}

  pod(uid: string): PodName | undefined {
    this.pods ??= this.listNamed(POD_LOGS, parsePodLogDir, (p) => p.uid);
    return this.pods.get(uid);
  }

  kubernetesContainer(id: string): ContainerName | undefined {
    this.containers ??= this.listNamed(CONTAINER_LOGS, parseContainerLogName, (c) => c.containerId);
    return this.containers.get(id);
  }

  podmanName(id: string): string | undefined {
    this.podman ??= this.readBounded(PODMAN_CONTAINERS, PODMAN_CONTAINERS_BYTES, parsePodmanContainers) ?? new Map();
    return this.podman.get(id);
  }

  dockerName(id: string): string | undefined {
    return this.readBounded(dockerConfig(id), DOCKER_CONFIG_BYTES, parseDockerConfigName);
  }

  private listNamed<T>(rel: string, parse: (name: string) => T | undefined, key: (t: T) => string): Map<string, T> {
    const byKey = new Map<string, T>();
    const listing = this.log.fs.listDir(rel);
    if (!listing.ok) {
      if (listing.status !== 'absent') this.log.report(rel, listing.status, listing.reason);
      return byKey;
    }
    for (const name of listing.names) {
      const parsed = parse(name);
      if (parsed !== undefined) byKey.set(key(parsed), parsed);
    }
    return byKey;
  }

  private readBounded<T>(rel: string, maxBytes: number, parse: (text: string) => T): T | undefined {
    const r = this.log.fs.readHead(rel, maxBytes);
    if (!r.ok) {
      if (r.status !== 'absent') this.log.report(rel, r.status, r.reason);
      return undefined;
    }
    if (r.truncated) {
      this.log.report(rel, 'failed', `larger than ${maxBytes} bytes: not read`);
      return undefined;
    }
    return this.log.parse(rel, utf8(r.text), parse);
  }
}

/** A name found, and whether looking again could find more (retried on the next walk). */
interface Naming {
  identity: CgroupIdentity;
  complete: boolean;
}

function nameKubernetes(identity: CgroupIdentity, podUid: string, lookups: WalkLookups): Naming {
  const named: CgroupIdentity = { ...identity };
  const byId = identity.containerId === undefined ? undefined : lookups.kubernetesContainer(identity.containerId);
  const pod = byId ?? lookups.pod(podUid);
  if (pod === undefined) return { identity, complete: false };
  named.namespace = pod.namespace;
  named.pod = pod.pod;
  if (identity.kind === 'pod') {
    named.name = `${pod.namespace}/${pod.pod}`;
    return { identity: named, complete: true };
  }
  if (byId !== undefined) named.container = byId.container;
  // the sandbox ("pause") container has no log, so no container name: the pod names it
  named.name = `${pod.namespace}/${pod.pod}/${byId?.container ?? identity.name}`;
  return { identity: named, complete: byId !== undefined };
}

function withContainerName(identity: CgroupIdentity, name: string | undefined): Naming {
  if (name === undefined) return { identity, complete: false };
  return { identity: { ...identity, name, container: name }, complete: true };
}

function nameOne(identity: CgroupIdentity, lookups: WalkLookups): Naming {
  if (identity.podUid !== undefined) return nameKubernetes(identity, identity.podUid, lookups);
  const id = identity.containerId;
  if (id === undefined) return { identity, complete: true };
  if (identity.runtime === 'docker') return withContainerName(identity, lookups.dockerName(id));
  if (identity.runtime === 'podman') return withContainerName(identity, lookups.podmanName(id));
  return { identity, complete: true };
}

/**
 * Names the workloads of each walk. A name once found is kept for as long as its cgroup is found;
 * one not found (a container whose files are not written yet, a damaged file) is looked for again
 * on the next walk.
 */
export class RuntimeNames {
  private readonly named = new Map<string, CgroupIdentity>();

  /** The identities of one walk with the names the runtime files give; forgets the cgroups gone. */
  resolve(found: readonly CgroupIdentity[], log: SourceLog): CgroupIdentity[] {
    const lookups = new WalkLookups(log);
    const current = new Set<string>();
    const out = found.map((identity) => {
      current.add(identity.id);
      const cached = this.named.get(identity.id);
      if (cached !== undefined) return cached;
      const naming = nameOne(identity, lookups);
      if (naming.complete) this.named.set(identity.id, naming.identity);
      return naming.identity;
    });
    for (const id of this.named.keys()) if (!current.has(id)) this.named.delete(id);
    return out;
  }
}
