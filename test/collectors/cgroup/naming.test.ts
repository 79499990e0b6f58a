import { describe, expect, it } from 'vitest';
import { identify, workloadCgroupOf } from '../../../collectors/cgroup/naming.js';

const ID = '3f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a21';
const SHORT = '3f2a9c0d1e8b';
const UID = '0c5f9f4e-6b1a-4d2e-9f3a-7b8c9d0e1f2a';
const UID_ = UID.replaceAll('-', '_');

describe('identify', () => {
  it('names systemd services and scopes by their unit; slices are no workload', () => {
    expect(identify('/system.slice/nginx.service')).toEqual({
      id: '/system.slice/nginx.service',
      kind: 'service',
      name: 'nginx.service',
      runtime: 'systemd',
    });
    expect(identify('/user.slice/user-1000.slice/session-3.scope')).toMatchObject({
      kind: 'scope',
      name: 'session-3.scope',
    });
    expect(identify('/user.slice/user-1000.slice/user@1000.service')).toMatchObject({
      kind: 'service',
      name: 'user@1000.service',
    });
    expect(identify('/init.scope')).toMatchObject({ kind: 'scope', name: 'init.scope' });
    expect(identify('/system.slice')).toBeUndefined();
    expect(identify('/system.slice/var-lib.mount')).toBeUndefined();
    expect(identify('/')).toBeUndefined();
  });

  it('knows docker containers under both drivers, by their short id', () => {
    const systemd = { kind: 'container', runtime: 'docker', containerId: ID, name: SHORT };
    expect(identify(`/system.slice/docker-${ID}.scope`)).toMatchObject(systemd);
    expect(identify(`/docker/${ID}`)).toMatchObject(systemd);
    expect(identify('/system.slice/docker.service')).toMatchObject({ kind: 'service', name: 'docker.service' });
    expect(identify(`/elsewhere/${ID}`)).toBeUndefined();
  });

  it('knows podman, containerd and CRI-O containers; their conmon scopes are scopes, not the container', () => {
    expect(identify(`/machine.slice/libpod-${ID}.scope`)).toMatchObject({ kind: 'container', runtime: 'podman' });
    expect(identify(`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`)).toMatchObject({
      kind: 'container',
      runtime: 'podman',
      containerId: ID,
    });
    expect(identify(`/libpod_parent/libpod-${ID}`)).toMatchObject({ kind: 'container', runtime: 'podman' });
    expect(identify(`/machine.slice/libpod-conmon-${ID}.scope`)).toMatchObject({
      kind: 'scope',
      runtime: 'systemd',
      name: `libpod-conmon-${ID}.scope`,
    });
    expect(identify(`/system.slice/cri-containerd-${ID}.scope`)).toMatchObject({ runtime: 'containerd' });
    expect(identify(`/system.slice/crio-${ID}.scope`)).toMatchObject({ kind: 'container', runtime: 'cri-o' });
    expect(identify(`/system.slice/crio-conmon-${ID}.scope`)).toMatchObject({ kind: 'scope' });
  });

  it('knows Kubernetes pods and their containers under the systemd driver, uid with dashes', () => {
    const burstable = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`;
    expect(identify(burstable)).toEqual({
      id: burstable,
      kind: 'pod',
      name: `pod${UID}`,
      runtime: 'kubernetes',
      podUid: UID,
    });
    expect(identify(`${burstable}/cri-containerd-${ID}.scope`)).toEqual({
      id: `${burstable}/cri-containerd-${ID}.scope`,
      kind: 'container',
      name: SHORT,
      runtime: 'containerd',
      containerId: ID,
      podUid: UID,
    });
    const guaranteed = `/kubepods.slice/kubepods-pod${UID_}.slice`;
    expect(identify(guaranteed)).toMatchObject({ kind: 'pod', podUid: UID });
    expect(identify(`${guaranteed}/crio-${ID}.scope`)).toMatchObject({ runtime: 'cri-o', podUid: UID });
    expect(identify('/kubepods.slice/kubepods-besteffort.slice')).toBeUndefined();
  });

  it('knows Kubernetes pods and their containers under the cgroupfs driver, static pods included', () => {
    expect(identify(`/kubepods/burstable/pod${UID}`)).toMatchObject({ kind: 'pod', podUid: UID });
    expect(identify(`/kubepods/burstable/pod${UID}/${ID}`)).toMatchObject({
      kind: 'container',
      runtime: 'kubernetes',
      podUid: UID,
      name: SHORT,
    });
    expect(identify(`/kubepods/pod${UID}/${ID}`)).toMatchObject({ kind: 'container', podUid: UID });
    const staticUid = '3a5c1d2e4f6a8b9c0d1e2f3a4b5c6d7e';
    expect(identify(`/kubepods/besteffort/pod${staticUid}`)).toMatchObject({ kind: 'pod', podUid: staticUid });
    expect(identify(`/other/pod${UID}`)).toBeUndefined();
  });

  it('takes no path with control characters, spaces or non-ASCII as an id', () => {
    expect(identify('/system.slice/a b.service')).toBeUndefined();
    expect(identify('/system.slice/\x1b]0;x\x07.service')).toBeUndefined();
    expect(identify('/system.slice/é.service')).toBeUndefined();
    expect(identify(`/system.slice/${'a'.repeat(300)}.service`)).toBeUndefined();
    expect(identify('system.slice/cron.service')).toBeUndefined();
    expect(identify('/system.slice/cron.service/')).toBeUndefined();
  });
});

describe('workloadCgroupOf', () => {
  it('climbs to the nearest workload', () => {
    expect(workloadCgroupOf(`/system.slice/docker-${ID}.scope/init`)).toBe(`/system.slice/docker-${ID}.scope`);
    expect(workloadCgroupOf(`/machine.slice/libpod-${ID}.scope/container`)).toBe(`/machine.slice/libpod-${ID}.scope`);
    const pod = `/kubepods.slice/kubepods-pod${UID_}.slice`;
    expect(workloadCgroupOf(`${pod}/cri-containerd-${ID}.scope`)).toBe(`${pod}/cri-containerd-${ID}.scope`);
    expect(workloadCgroupOf(`${pod}/other`)).toBe(pod);
    expect(workloadCgroupOf('/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service')).toBe(
      '/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service',
    );
    expect(workloadCgroupOf('/user.slice/user-1000.slice/user@1000.service/init.scope')).toBe(
      '/user.slice/user-1000.slice/user@1000.service/init.scope',
    );
  });

  it('gives none outside workloads', () => {
    expect(workloadCgroupOf('/')).toBeUndefined();
    expect(workloadCgroupOf('/user.slice/user-1000.slice')).toBeUndefined();
    expect(workloadCgroupOf('/process_api/6eed730541824f92f2acf01d85a09afb')).toBeUndefined();
    expect(workloadCgroupOf('')).toBeUndefined();
  });
});
