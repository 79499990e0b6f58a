import { describe, expect, it } from 'vitest';
import { parseServerMessage } from '../../src/feed/protocol.js';
import type { CgroupEntry } from '../../src/model/cgroup.js';
import { frameAsObjectsJson, serializeFrame } from '../../src/model/frame.js';
import { expandTables } from '../../src/model/wire.js';
import { frame } from '../tui/frames.js';

const DOCKER = `/system.slice/docker-${'ab12'.repeat(16)}.scope`;
const NGINX = '/system.slice/nginx.service';

const cgroups: CgroupEntry[] = [
  { id: NGINX, name: 'nginx.service', kind: 'service', runtime: 'systemd', memoryMaxBytes: 2 ** 30, processes: 3 },
  { id: DOCKER, name: 'web', kind: 'container', runtime: 'docker', container: 'web', cpuLimit: 0.5 },
];

/** A frame carrying two cgroups with their metrics, and a cgroup metric of one it does not carry. */
function cgroupFrame() {
  const f = frame(3, { cgroups });
  f.metrics['cgroup.cpu.usage'] = { [NGINX]: 0.25, [DOCKER]: 0.5 };
  f.metrics['cgroup.memory.working_set'] = { [NGINX]: 1234, [DOCKER]: 5678, '/other.scope': 1 };
  f.metrics['cgroup.cpu.throttled'] = { [DOCKER]: 0.3 };
  return f;
}

describe('cgroups on the wire', () => {
  it('go as one table with their metrics, each id written once, and read back as the frame', () => {
    const f = cgroupFrame();
    const json = serializeFrame(f);
    const sent = JSON.parse(json);
    expect(sent.cgroups).toHaveProperty('cols');
    expect(sent.metrics['cgroup.cpu.usage']).toBeUndefined();
    expect(sent.metrics['cgroup.memory.working_set']).toEqual({ '/other.scope': 1 });
    expect(json.split(DOCKER)).toHaveLength(2);
    expect(expandTables(sent)).toBeUndefined();
    const { counters: _counters, ...expected } = f;
    expect(sent).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(json.length).toBeLessThan(frameAsObjectsJson(f).length);
  });

  it('read back the same from the feed, the values folded into the metrics', () => {
    const f = cgroupFrame();
    const parsed = parseServerMessage(`{"type":"frame",${serializeFrame(f).slice(1)}`);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.message.type !== 'frame') return;
    expect(parsed.message.cgroups).toEqual(cgroups);
    expect(parsed.message.metrics?.['cgroup.cpu.throttled']).toEqual({ [DOCKER]: 0.3 });
    expect(parsed.message.metrics?.['cgroup.memory.working_set']).toEqual(f.metrics['cgroup.memory.working_set']);
  });

  it('drop a column that is neither an entry field nor a cgroup metric, and cannot reach a prototype', () => {
    const sent = JSON.parse(serializeFrame(cgroupFrame()));
    sent.cgroups.cols[3] = 'cpu.utilization';
    sent.cgroups.cols[4] = '__proto__';
    expect(expandTables(sent)).toBeUndefined();
    expect(sent.metrics['cpu.utilization']).toEqual(cgroupFrame().metrics['cpu.utilization']);
    expect(Object.getPrototypeOf(sent.cgroups[0])).toBe(Object.prototype);
    expect(sent.cgroups[0]).not.toHaveProperty('cpu.utilization');
  });

  it('a frame without cgroups has no cgroups section', () => {
    expect(JSON.parse(serializeFrame(frame(1)))).not.toHaveProperty('cgroups');
  });
});
