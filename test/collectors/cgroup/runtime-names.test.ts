import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identify } from '../../../collectors/cgroup/naming.js';
import {
  DOCKER_CONFIG_BYTES,
  MAX_NAME_LENGTH,
  parseContainerLogName,
  parseDockerConfigName,
  parsePodLogDir,
  parsePodmanContainers,
  RuntimeNames,
} from '../../../collectors/cgroup/runtime-names.js';
import type { CgroupIdentity } from '../../../collectors/cgroup/sample.js';
import { ProcFs, SourceLog } from '../../../collectors/procfs.js';
import { onlyParseError } from '../parser-fuzz.js';
import { scratchRoots } from './layouts.js';

const ID = 'aca4d0969567f30c08d6251f8711e75d125be7e5745366224feac563fba0fd42';

describe('runtime file parsers', () => {
  it('splits /var/log/pods directories and /var/log/containers links', () => {
    expect(parsePodLogDir('kube-system_etcd-node1_3a5c1d2e4f6a8b9c0d1e2f3a4b5c6d7e')).toEqual({
      namespace: 'kube-system',
      pod: 'etcd-node1',
      uid: '3a5c1d2e4f6a8b9c0d1e2f3a4b5c6d7e',
    });
    expect(parsePodLogDir('no-underscores')).toBeUndefined();
    expect(parsePodLogDir('_pod_uid')).toBeUndefined();
    expect(parseContainerLogName(`frontend-6b9f7c-2xv9q_web_nginx-sidecar-${ID}.log`)).toEqual({
      pod: 'frontend-6b9f7c-2xv9q',
      namespace: 'web',
      container: 'nginx-sidecar',
      containerId: ID,
    });
    expect(parseContainerLogName('garbage.log')).toBeUndefined();
    expect(parseContainerLogName(`p_ns_c-${ID.slice(1)}.log`)).toBeUndefined();
  });

  it('takes docker\'s top-level "Name" without its "/", never a mount point\'s', () => {
    const text = JSON.stringify({ MountPoints: { '/d': { Name: 'volume' } }, Name: '/web' });
    expect(parseDockerConfigName(text)).toBe('web');
    expect(() => parseDockerConfigName('{"Name": 7}')).toThrow('no "Name" string');
    expect(() => parseDockerConfigName('{"Name": "/"}')).toThrow('no "Name" string');
    expect(() => parseDockerConfigName('null')).toThrow('no "Name" string');
    expect(() => parseDockerConfigName('{"Name": "/we')).toThrow(/^invalid JSON/);
  });

  it("reads podman's id → first name, skipping entries that are not containers", () => {
    const text = JSON.stringify([
      { id: ID, names: ['db', 'alias'] },
      { id: 'x', names: ['no'] },
      null,
      5,
      { id: ID.replace('a', 'b') },
    ]);
    expect(parsePodmanContainers(text)).toEqual(new Map([[ID, 'db']]));
    expect(() => parsePodmanContainers('{}')).toThrow('expected an array of containers');
    expect(() => parsePodmanContainers('[{')).toThrow(/^invalid JSON/);
  });

  it('caps names at 253 characters and rejects damaged JSON only with ParseError', () => {
    expect(parseDockerConfigName(JSON.stringify({ Name: `/${'x'.repeat(100_000)}` }))).toHaveLength(MAX_NAME_LENGTH);
    // a cut never leaves half a surrogate pair
    const emoji = parseDockerConfigName(JSON.stringify({ Name: `/${'x'.repeat(252)}😀` }));
    expect(emoji).toBe('x'.repeat(252));
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        onlyParseError(parseDockerConfigName, text);
        onlyParseError(parsePodmanContainers, text);
        const pod = parsePodLogDir(text);
        if (pod !== undefined) expect(pod.pod.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
      }),
    );
  });
});

describe('RuntimeNames', () => {
  const { copyOf } = scratchRoots();

  /** A ProcFs counting the runtime files and directories read. */
  class CountingProcFs extends ProcFs {
    reads = 0;
    override readHead(rel: string, maxBytes: number) {
      this.reads++;
      return super.readHead(rel, maxBytes);
    }
    override listDir(rel: string) {
      this.reads++;
      return super.listDir(rel);
    }
  }

  const docker = identify(`/docker/${ID}`) as CgroupIdentity;

  it('reads a found name once; a name not found is looked for again on the next walk', () => {
    const root = copyOf('docker-cgroupfs-v1');
    const fs = new CountingProcFs(root);
    const names = new RuntimeNames();
    expect(names.resolve([docker], new SourceLog(fs))[0].name).toBe('web');
    expect(names.resolve([docker], new SourceLog(fs))[0].name).toBe('web');
    expect(fs.reads).toBe(1);

    const later = identify(`/docker/${'e'.repeat(64)}`) as CgroupIdentity;
    expect(names.resolve([later], new SourceLog(fs))[0].name).toBe('eeeeeeeeeeee');
    const config = join(root, 'var/lib/docker/containers', 'e'.repeat(64));
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.v2.json'), '{"Name":"/late"}');
    expect(names.resolve([later], new SourceLog(fs))[0].name).toBe('late');
  });

  it('reads no further than 64 KiB of a config.v2.json and reports it, keeping the short id', () => {
    const root = copyOf('docker-cgroupfs-v1');
    writeFileSync(
      join(root, 'var/lib/docker/containers', ID, 'config.v2.json'),
      JSON.stringify({ Config: { Env: [`X=${'x'.repeat(DOCKER_CONFIG_BYTES)}`] }, Name: '/web' }),
    );
    const log = new SourceLog(new ProcFs(root));
    expect(new RuntimeNames().resolve([docker], log)[0].name).toBe(ID.slice(0, 12));
    expect(log.reports).toEqual([
      {
        source: `var/lib/docker/containers/${ID}/config.v2.json`,
        status: 'failed',
        reason: `larger than ${DOCKER_CONFIG_BYTES} bytes: not read`,
      },
    ]);
  });

  it('gives podman containers their short id when containers.json is invalid, and says why', () => {
    const root = copyOf('podman');
    writeFileSync(join(root, 'var/lib/containers/storage/overlay-containers/containers.json'), '[{"id": "\u001b[2J');
    const podman = identify(
      '/machine.slice/libpod-b4cc4867d9fc1c8455f0ed62a35752997b4e9624968df8953d40f7f847719c81.scope',
    ) as CgroupIdentity;
    const log = new SourceLog(new ProcFs(root));
    expect(new RuntimeNames().resolve([podman], log)[0].name).toBe('b4cc4867d9fc');
    expect(log.reports[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^invalid JSON/) });
  });

  it('keeps escape sequences in names from kubelet log paths raw, for derive to sanitise', () => {
    const root = copyOf('kubepods-cgroupfs');
    const uid = '7558a01e-81a8-6249-893c-3a0d786d0139';
    // a file name holds at most 255 bytes, so a directory name is within MAX_NAME_LENGTH already
    const pod = `\x1b[31m${'p'.repeat(200)}`;
    mkdirSync(join(root, 'var/log/pods', `ns_${pod}_${uid}`, 'c'), { recursive: true });
    const identity = identify(`/kubepods/besteffort/pod${uid}`) as CgroupIdentity;
    const named = new RuntimeNames().resolve([identity], new SourceLog(new ProcFs(root)))[0];
    expect(named.pod).toBe(pod);
    expect(named.name).toBe(`ns/${pod}`);
  });

  it('forgets the names of cgroups no longer found', () => {
    const root = copyOf('docker-cgroupfs-v1');
    const fs = new CountingProcFs(root);
    const names = new RuntimeNames();
    names.resolve([docker], new SourceLog(fs));
    names.resolve([], new SourceLog(fs));
    names.resolve([docker], new SourceLog(fs));
    expect(fs.reads).toBe(2);
  });
});
