import type { CgroupReading } from '../../collectors/cgroup/sample.js';

/** A cgroup's reading with the given counters; a systemd service named after the last path part unless said. */
export function reading(id: string, fields: Partial<CgroupReading> = {}): CgroupReading {
  const name = id.slice(id.lastIndexOf('/') + 1);
  return { identity: { id, kind: 'service', name, runtime: 'systemd' }, ...fields };
}
