import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCgroupDiscovery, detectLayout } from '../../../collectors/cgroup/discover.js';
import type { WorkloadCgroup } from '../../../collectors/cgroup/sample.js';
import { ProcFs, SourceLog } from '../../../collectors/procfs.js';
import { layouts, scratchRoots } from './layouts.js';

function discover(root: string) {
  const log = new SourceLog(new ProcFs(root));
  const workloads = createCgroupDiscovery().workloads(log);
  return { workloads, reports: log.reports };
}

/** [id, kind, name] of each workload, in id order. */
const who = (workloads: readonly WorkloadCgroup[]) =>
  workloads.map((w) => [w.identity.id, w.identity.kind, w.identity.name]);

const byId = (workloads: readonly WorkloadCgroup[], id: string) => workloads.find((w) => w.identity.id === id);

describe('detectLayout', () => {
  it('tells pure v2, hybrid (v2 at unified beside v1 controllers) and pure v1 apart', () => {
    const v2 = detectLayout(new ProcFs(join(layouts, 'systemd-v2')));
    expect(v2).toEqual({ kind: 'v2', v2Root: 'sys/fs/cgroup', v1Roots: {} });
    const hybrid = detectLayout(new ProcFs(join(layouts, 'hybrid')));
    expect(hybrid).toEqual({
      kind: 'hybrid',
      v2Root: 'sys/fs/cgroup/unified',
      v1Roots: {
        blkio: 'sys/fs/cgroup/blkio',
        cpu: 'sys/fs/cgroup/cpu',
        cpuacct: 'sys/fs/cgroup/cpuacct',
        memory: 'sys/fs/cgroup/memory',
        pids: 'sys/fs/cgroup/pids',
      },
    });
    const v1 = detectLayout(new ProcFs(join(layouts, 'kubepods-systemd')));
    expect(v1.kind).toBe('v1');
    // co-mounted controllers map to the one directory, not to their symlinks
    expect(v1.v1Roots.cpu).toBe('sys/fs/cgroup/cpu,cpuacct');
    expect(v1.v1Roots.cpuacct).toBe('sys/fs/cgroup/cpu,cpuacct');
  });
});

describe('createCgroupDiscovery on each layout', () => {
  it('systemd on v2: services and scopes by unit name, nested user services included, slices left out', () => {
    const { workloads, reports } = discover(join(layouts, 'systemd-v2'));
    const user = '/user.slice/user-1000.slice';
    expect(who(workloads)).toEqual([
      ['/init.scope', 'scope', 'init.scope'],
      ['/system.slice/cron.service', 'service', 'cron.service'],
      ['/system.slice/nginx.service', 'service', 'nginx.service'],
      ['/system.slice/system-getty.slice/getty@tty1.service', 'service', 'getty@tty1.service'],
      [`${user}/session-3.scope`, 'scope', 'session-3.scope'],
      [`${user}/user@1000.service`, 'service', 'user@1000.service'],
      [`${user}/user@1000.service/app.slice/gnome-terminal-server.service`, 'service', 'gnome-terminal-server.service'],
      [`${user}/user@1000.service/init.scope`, 'scope', 'init.scope'],
    ]);
    expect(byId(workloads, '/system.slice/cron.service')).toEqual({
      identity: { id: '/system.slice/cron.service', kind: 'service', name: 'cron.service', runtime: 'systemd' },
      v2Dir: 'sys/fs/cgroup/system.slice/cron.service',
      v1Dirs: {},
    });
    expect(reports).toContainEqual({
      source: 'sys/fs/cgroup',
      status: 'ok',
      reason: 'v2: 8 workload cgroups in 14 directories',
    });
  });

  it('hybrid (like this machine): the unified dir and each v1 controller dir; v1-only cgroups have no v2 dir', () => {
    const { workloads } = discover(join(layouts, 'hybrid'));
    const docker = '/docker/913800efcd16a8d6811361e64308613449ff802c4c0b7ace9ebbd5a7858813e2';
    expect(who(workloads)).toEqual([
      [docker, 'container', 'redis'],
      ['/init.scope', 'scope', 'init.scope'],
      ['/loadtest.scope', 'scope', 'loadtest.scope'],
      ['/system.slice/containerd.service', 'service', 'containerd.service'],
      ['/system.slice/cron.service', 'service', 'cron.service'],
    ]);
    expect(byId(workloads, '/system.slice/cron.service')).toMatchObject({
      v2Dir: 'sys/fs/cgroup/unified/system.slice/cron.service',
      v1Dirs: {
        cpu: 'sys/fs/cgroup/cpu/system.slice/cron.service',
        cpuacct: 'sys/fs/cgroup/cpuacct/system.slice/cron.service',
        memory: 'sys/fs/cgroup/memory/system.slice/cron.service',
        pids: 'sys/fs/cgroup/pids/system.slice/cron.service',
      },
    });
    const container = byId(workloads, docker);
    expect(container?.v2Dir).toBeUndefined();
    expect(Object.keys(container?.v1Dirs ?? {}).sort()).toEqual(['blkio', 'cpu', 'cpuacct', 'memory', 'pids']);
    expect(byId(workloads, '/loadtest.scope')).toEqual({
      identity: { id: '/loadtest.scope', kind: 'scope', name: 'loadtest.scope', runtime: 'systemd' },
      v1Dirs: { cpu: 'sys/fs/cgroup/cpu/loadtest.scope', cpuacct: 'sys/fs/cgroup/cpuacct/loadtest.scope' },
    });
  });

  it('docker, cgroupfs driver on v1: names from config.v2.json, the short id when it cannot be read', () => {
    const { workloads, reports } = discover(join(layouts, 'docker-cgroupfs-v1'));
    const web = byId(workloads, '/docker/aca4d0969567f30c08d6251f8711e75d125be7e5745366224feac563fba0fd42');
    expect(web?.identity).toMatchObject({ kind: 'container', runtime: 'docker', name: 'web', container: 'web' });
    expect(web?.v1Dirs).toEqual({
      cpu: 'sys/fs/cgroup/cpu,cpuacct/docker/aca4d0969567f30c08d6251f8711e75d125be7e5745366224feac563fba0fd42',
      cpuacct: 'sys/fs/cgroup/cpu,cpuacct/docker/aca4d0969567f30c08d6251f8711e75d125be7e5745366224feac563fba0fd42',
      memory: 'sys/fs/cgroup/memory/docker/aca4d0969567f30c08d6251f8711e75d125be7e5745366224feac563fba0fd42',
      pids: 'sys/fs/cgroup/pids/docker/aca4d0969567f30c08d6251f8711e75d125be7e5745366224feac563fba0fd42',
      blkio: 'sys/fs/cgroup/blkio/docker/aca4d0969567f30c08d6251f8711e75d125be7e5745366224feac563fba0fd42',
    });
    // invalid JSON: a failed report naming the file, and the short id
    const damaged = byId(workloads, '/docker/b6a9e847ec42d12a49306e724c4d2258c66d827de9f59e7cbccff8015929d8ea');
    expect(damaged?.identity.name).toBe('b6a9e847ec42');
    expect(damaged?.identity.container).toBeUndefined();
    expect(reports).toContainEqual(
      expect.objectContaining({
        source:
          'var/lib/docker/containers/b6a9e847ec42d12a49306e724c4d2258c66d827de9f59e7cbccff8015929d8ea/config.v2.json',
        status: 'failed',
        reason: expect.stringMatching(/^invalid JSON/),
      }),
    );
    // no config at all: the short id, nothing reported (docker's directory may not be visible)
    const ids = workloads.map((w) => w.identity.name);
    expect(ids).toContain('2bb57adb84ae');
    expect(reports.filter((r) => r.source.includes('2bb57adb84ae'))).toEqual([]);
    // escape sequences and a 1000-character name: kept raw for derive to sanitise, cut to 253
    const hostile = byId(workloads, '/docker/b98420c30de72aedac4e3915a654d5affeabc167cb1ecb5e5aa7375b29b08c22');
    expect(hostile?.identity.name.startsWith('\x1b]0;pwned')).toBe(true);
    expect(hostile?.identity.name).toHaveLength(253);
    expect(byId(workloads, '/system.slice/docker.service')?.identity.kind).toBe('service');
  });

  it('docker, systemd driver: the docker-<id>.scope, not its "init" child, and not docker.service', () => {
    const { workloads, reports } = discover(join(layouts, 'docker-systemd'));
    // a container's children are its own: not walked (system.slice, two services, the scope)
    expect(reports).toContainEqual({
      source: 'sys/fs/cgroup',
      status: 'ok',
      reason: 'v2: 3 workload cgroups in 4 directories',
    });
    const scope = '/system.slice/docker-6de102c1cecc011032305908295668eedad74d736c6d216e4c42f416ae84988f.scope';
    expect(who(workloads)).toEqual([
      ['/system.slice/containerd.service', 'service', 'containerd.service'],
      [scope, 'container', 'api-1'],
      ['/system.slice/docker.service', 'service', 'docker.service'],
    ]);
    expect(byId(workloads, scope)).toMatchObject({ v2Dir: `sys/fs/cgroup${scope}`, v1Dirs: {} });
  });

  it('podman: rootful names from containers.json, conmon as a scope, rootless by short id', () => {
    const { workloads } = discover(join(layouts, 'podman'));
    const id = 'b4cc4867d9fc1c8455f0ed62a35752997b4e9624968df8953d40f7f847719c81';
    const rootless = 'e288465587f13f319ff25fc17b094d52dae48844cc00a8423a71839084db235c';
    expect(who(workloads)).toEqual([
      [`/machine.slice/libpod-${id}.scope`, 'container', 'db'],
      [`/machine.slice/libpod-conmon-${id}.scope`, 'scope', `libpod-conmon-${id}.scope`],
      ['/user.slice/user-1000.slice/user@1000.service', 'service', 'user@1000.service'],
      [
        `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${rootless}.scope`,
        'container',
        rootless.slice(0, 12),
      ],
    ]);
    expect(workloads[0].identity).toMatchObject({ runtime: 'podman', containerId: id, container: 'db' });
  });

  it('containerd under kubelet: the pod by namespace/pod, containers by log name, the sandbox by short id', () => {
    const { workloads } = discover(join(layouts, 'containerd'));
    const pod =
      '/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod3fc25ef2_c1a9_ffd4_0e14_ee4ac76f2a58.slice';
    const uid = '3fc25ef2-c1a9-ffd4-0e14-ee4ac76f2a58';
    expect(who(workloads)).toEqual([
      [pod, 'pod', 'monitoring/node-exporter-x7k2p'],
      [
        `${pod}/cri-containerd-6f7ce9e7a35f3759080852227b1dad63aa2b9b1631ac6d2bda8652cb591e8d41.scope`,
        'container',
        'monitoring/node-exporter-x7k2p/6f7ce9e7a35f',
      ],
      [
        `${pod}/cri-containerd-71c206f4b1ff6f81c8a8ec2c517dc9a23052ae34725e0c35c49a1b1f559a56d4.scope`,
        'container',
        'monitoring/node-exporter-x7k2p/node-exporter',
      ],
      ['/system.slice/containerd.service', 'service', 'containerd.service'],
      ['/system.slice/kubelet.service', 'service', 'kubelet.service'],
    ]);
    expect(workloads[0].identity).toEqual({
      id: pod,
      kind: 'pod',
      name: 'monitoring/node-exporter-x7k2p',
      runtime: 'kubernetes',
      podUid: uid,
      namespace: 'monitoring',
      pod: 'node-exporter-x7k2p',
    });
    expect(workloads[2].identity).toMatchObject({
      runtime: 'containerd',
      podUid: uid,
      namespace: 'monitoring',
      pod: 'node-exporter-x7k2p',
      container: 'node-exporter',
    });
    expect(workloads[1].identity.container).toBeUndefined();
  });

  it('CRI-O: crio-<id>.scope is the container, crio-conmon-<id>.scope is not', () => {
    const { workloads } = discover(join(layouts, 'cri-o'));
    const pod =
      '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod18220166_15e5_810a_77e9_fb5805572c23.slice';
    const id = '610713dca419d7deb83a1246d0c1ee0ac2e23b81cbb29bba37147e88e1848cda';
    expect(who(workloads)).toEqual([
      [pod, 'pod', 'kube-system/coredns-5d78c9869d-abcde'],
      [`${pod}/crio-${id}.scope`, 'container', 'kube-system/coredns-5d78c9869d-abcde/coredns'],
      [`${pod}/crio-conmon-${id}.scope`, 'scope', `crio-conmon-${id}.scope`],
      ['/system.slice/crio.service', 'service', 'crio.service'],
    ]);
    expect(workloads[1].identity.runtime).toBe('cri-o');
  });

  it('kubepods, systemd driver on v1: guaranteed pods under kubepods.slice, burstable, besteffort, static pods', () => {
    const { workloads } = discover(join(layouts, 'kubepods-systemd'));
    const names = workloads.map((w) => [w.identity.kind, w.identity.name]);
    expect(names).toEqual([
      ['pod', 'kube-system/etcd-node1'],
      ['container', 'kube-system/etcd-node1/etcd'],
      ['pod', 'web/frontend-6b9f7c-2xv9q'],
      ['container', 'web/frontend-6b9f7c-2xv9q/b7d89e2b316d'],
      ['container', 'web/frontend-6b9f7c-2xv9q/nginx'],
      ['pod', 'payments/ledger-0'],
      ['container', 'payments/ledger-0/ledger'],
      ['service', 'kubelet.service'],
    ]);
    const guaranteed = byId(workloads, '/kubepods.slice/kubepods-pod9032963a_c2b5_5231_8822_e3480c52d735.slice');
    expect(guaranteed?.identity.podUid).toBe('9032963a-c2b5-5231-8822-e3480c52d735');
    expect(guaranteed?.v1Dirs).toEqual({
      cpu: `sys/fs/cgroup/cpu,cpuacct${guaranteed?.identity.id}`,
      cpuacct: `sys/fs/cgroup/cpu,cpuacct${guaranteed?.identity.id}`,
      memory: `sys/fs/cgroup/memory${guaranteed?.identity.id}`,
      pids: `sys/fs/cgroup/pids${guaranteed?.identity.id}`,
    });
    expect(workloads[0].identity.podUid).toBe('3a5c1d2e4f6a8b9c0d1e2f3a4b5c6d7e');
  });

  it('kubepods, cgroupfs driver: bare container ids under pod<uid>; an unknown pod keeps its uid', () => {
    const { workloads, reports } = discover(join(layouts, 'kubepods-cgroupfs'));
    expect(workloads.map((w) => [w.identity.kind, w.identity.name])).toEqual([
      ['pod', 'pod7558a01e-81a8-6249-893c-3a0d786d0139'],
      ['container', 'd1afc8b85cf9'],
      ['pod', 'web/api-7d9f-abc12'],
      ['container', 'web/api-7d9f-abc12/api'],
      ['pod', 'default/batch-job-q8x7z'],
      ['container', 'default/batch-job-q8x7z/worker'],
    ]);
    expect(workloads[1].identity).toMatchObject({
      podUid: '7558a01e-81a8-6249-893c-3a0d786d0139',
      runtime: 'kubernetes',
    });
    expect(workloads[1].identity.pod).toBeUndefined();
    expect(workloads[3].v1Dirs.blkio).toBe(`sys/fs/cgroup/blkio${workloads[3].identity.id}`);
    expect(reports.filter((r) => r.status !== 'ok')).toEqual([]);
  });
});

describe('createCgroupDiscovery bounds and cadence', () => {
  const { copyOf, empty } = scratchRoots();
  const addCgroup = (root: string, rel: string) => {
    mkdirSync(join(root, rel), { recursive: true });
    writeFileSync(join(root, rel, 'cgroup.procs'), '');
  };

  it('walks again only after rewalkMs: a new cgroup waits for the next walk, a removed one stays until then', () => {
    const root = copyOf('systemd-v2');
    let now = 0;
    const discovery = createCgroupDiscovery({ now: () => now });
    const log = new SourceLog(new ProcFs(root));
    const first = discovery.workloads(log);
    addCgroup(root, 'sys/fs/cgroup/system.slice/new.service');
    rmSync(join(root, 'sys/fs/cgroup/system.slice/nginx.service'), { recursive: true });
    now = 9_999;
    expect(discovery.workloads(log)).toBe(first);
    now = 10_000;
    const ids = discovery.workloads(log).map((w) => w.identity.id);
    expect(ids).toContain('/system.slice/new.service');
    expect(ids).not.toContain('/system.slice/nginx.service');
  });

  it('stops at maxDirs breadth first and at maxDepth, and says so', () => {
    const root = copyOf('systemd-v2');
    const log = new SourceLog(new ProcFs(root));
    const shallow = createCgroupDiscovery({ maxDirs: 4 }).workloads(log);
    // the first level: init.scope, system.slice, user.slice
    expect(shallow.map((w) => w.identity.id)).toEqual(['/init.scope', '/system.slice/cron.service']);
    expect(log.reports).toContainEqual({
      source: 'sys/fs/cgroup',
      status: 'failed',
      reason: 'walk stopped at 4 directories: cgroups beyond them are not read',
    });
    const log2 = new SourceLog(new ProcFs(root));
    const twoLevels = createCgroupDiscovery({ maxDepth: 2 }).workloads(log2);
    expect(twoLevels.map((w) => w.identity.id)).toEqual([
      '/init.scope',
      '/system.slice/cron.service',
      '/system.slice/nginx.service',
    ]);
    expect(log2.reports).toContainEqual({
      source: 'sys/fs/cgroup',
      status: 'failed',
      reason: '3 directories deeper than 2 levels not walked: cgroups below them are not read',
    });
  });

  it('reports directories it cannot list once per walk, with the first, and walks the rest', () => {
    class Denying extends ProcFs {
      override listSubdirs(rel: string) {
        if (rel.endsWith('/user.slice') || rel.endsWith('/system-getty.slice'))
          return { ok: false as const, status: 'denied' as const, reason: 'EACCES' };
        return super.listSubdirs(rel);
      }
    }
    const log = new SourceLog(new Denying(join(layouts, 'systemd-v2')));
    const ids = createCgroupDiscovery()
      .workloads(log)
      .map((w) => w.identity.id);
    expect(ids).toEqual(['/init.scope', '/system.slice/cron.service', '/system.slice/nginx.service']);
    expect(log.reports).toEqual([
      {
        source: 'sys/fs/cgroup',
        status: 'denied',
        reason: '2 cgroup directories unreadable, first: sys/fs/cgroup/user.slice: EACCES',
      },
    ]);
  });

  it('reports a root without cgroups once, as absent', () => {
    let now = 0;
    const discovery = createCgroupDiscovery({ now: () => now });
    const log = new SourceLog(new ProcFs(empty()));
    expect(discovery.workloads(log)).toEqual([]);
    now = 20_000;
    expect(discovery.workloads(log)).toEqual([]);
    expect(log.reports).toEqual([
      { source: 'sys/fs/cgroup', status: 'absent', reason: 'no cgroup v1 controller or v2 hierarchy mounted' },
    ]);
  });
});
