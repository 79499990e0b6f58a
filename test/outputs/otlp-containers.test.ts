import { describe, expect, it } from 'vitest';
import { cgroupAttributes, containerIdOf } from '../../src/outputs/otlp/container-observations.js';
import { INSTRUMENTS, type Observation, observeFrame } from '../../src/outputs/otlp/host-observations.js';
import { CGROUPS, CRI_ID, cgroupFrame, DOCKER_ID } from './cgroup-frame.js';

function points(observations: Observation[], name: string, attributes: Record<string, string | number>): number[] {
  return observations
    .filter((o) => o.name === name && Object.entries(attributes).every(([k, v]) => o.attributes[k] === v))
    .map((o) => o.value);
}

const SERVICE = { 'usewatch.cgroup.path': CGROUPS[0].id };
const WEB = { 'container.name': 'web' };
const CART = { 'k8s.container.name': 'cart' };

describe('OTLP: carried cgroups under the container conventions', () => {
  it('instruments: the conventions’ names, kinds and units where they exist, usewatch.cgroup.* for the rest', () => {
    const byName = new Map(INSTRUMENTS.map((d) => [d.name, d]));
    expect(byName.get('container.cpu.time')).toMatchObject({ kind: 'counter', unit: 's' });
    expect(byName.get('container.cpu.usage')).toMatchObject({ kind: 'gauge', unit: '{cpu}' });
    expect(byName.get('container.memory.usage')).toMatchObject({ kind: 'counter', unit: 'By' });
    expect(byName.get('container.memory.working_set')).toMatchObject({ kind: 'updown', unit: 'By' });
    expect(byName.get('container.disk.io')).toMatchObject({ kind: 'counter', unit: 'By' });
    const names = INSTRUMENTS.map((d) => d.name).filter((n) => n.includes('cgroup') || n.startsWith('container.'));
    expect(names.every((n) => n.startsWith('container.') || n.startsWith('usewatch.cgroup.'))).toBe(true);
  });

  it('attributes: container.id from the path, k8s names for a pod container, the cgroup path always', () => {
    expect(cgroupAttributes(CGROUPS[0])).toEqual({
      'usewatch.cgroup.path': '/system.slice/app\\x2dapi.service',
      'usewatch.cgroup.name': 'app\\x2dapi.service',
    });
    expect(cgroupAttributes(CGROUPS[1])).toEqual({
      'usewatch.cgroup.path': CGROUPS[1].id,
      'usewatch.cgroup.name': 'web',
      'container.id': DOCKER_ID,
      'container.name': 'web',
      'container.runtime.name': 'docker',
    });
    expect(cgroupAttributes(CGROUPS[2])).toEqual({
      'usewatch.cgroup.path': CGROUPS[2].id,
      'usewatch.cgroup.name': 'shop/cart-7d9f/cart',
      'container.id': CRI_ID,
      'k8s.container.name': 'cart',
      'k8s.pod.name': 'cart-7d9f',
      'k8s.namespace.name': 'shop',
      'container.runtime.name': 'containerd',
    });
    // A pod's own cgroup or a service has no container id, whatever hex its path holds.
    expect(containerIdOf({ ...CGROUPS[1], kind: 'pod' })).toBeUndefined();
    expect(containerIdOf({ ...CGROUPS[1], id: '/docker/short' })).toBeUndefined();
  });

  it('CPU time by cpu.mode user and kernel when both are known, else the total alone', () => {
    const o = observeFrame(cgroupFrame());
    expect(points(o, 'container.cpu.time', { ...SERVICE, 'cpu.mode': 'user' })).toEqual([1000.25]);
    expect(points(o, 'container.cpu.time', { ...SERVICE, 'cpu.mode': 'kernel' })).toEqual([234.25]);
    expect(points(o, 'container.cpu.time', SERVICE)).toHaveLength(2);
    // The Kubernetes container's counters have the total only: one point, no mode.
    const cart = o.filter((x) => x.name === 'container.cpu.time' && x.attributes['k8s.container.name'] === 'cart');
    expect(cart.map((x) => [x.value, x.attributes['cpu.mode']])).toEqual([[7200, undefined]]);
    expect(points(o, 'container.cpu.usage', CART)).toEqual([1.75]);
  });

  it('memory, disk, throttling, OOM kills and pressure in seconds and bytes', () => {
    const o = observeFrame(cgroupFrame());
    expect(points(o, 'container.memory.usage', WEB)).toEqual([268_000_000]);
    expect(points(o, 'container.memory.working_set', WEB)).toEqual([260_000_000]);
    expect(points(o, 'usewatch.cgroup.memory.limit', WEB)).toEqual([268_435_456]);
    expect(points(o, 'usewatch.cgroup.memory.oom_kills', WEB)).toEqual([1]);
    expect(points(o, 'container.disk.io', { ...CART, 'disk.io.direction': 'write' })).toEqual([4096]);
    expect(points(o, 'usewatch.cgroup.cpu.throttled_periods', CART)).toEqual([1_200_000]);
    expect(points(o, 'usewatch.cgroup.cpu.throttled_time', SERVICE)).toEqual([321.75]);
    // No quota on the docker container: no throttling points although its counters carry periods.
    expect(points(o, 'usewatch.cgroup.cpu.periods', WEB)).toEqual([]);
    expect(points(o, 'usewatch.cgroup.pressure.stall_time', { ...CART, resource: 'cpu', level: 'some' })).toEqual([
      900.5,
    ]);
    expect(points(o, 'usewatch.cgroup.pressure.stall_time', { ...CART, resource: 'cpu', level: 'full' })).toEqual([]);
    expect(points(o, 'usewatch.cgroup.tasks', SERVICE)).toEqual([12]);
  });

  it('otlp.cgroups: false, or a frame without cgroups: no container observation', () => {
    const isContainer = (x: Observation) => x.name.startsWith('container.') || x.name.startsWith('usewatch.cgroup.');
    expect(observeFrame(cgroupFrame()).filter(isContainer).length).toBeGreaterThan(20);
    expect(observeFrame(cgroupFrame(), { cgroups: false }).filter(isContainer)).toEqual([]);
    expect(observeFrame(cgroupFrame({ cgroups: undefined })).filter(isContainer)).toEqual([]);
  });
});
