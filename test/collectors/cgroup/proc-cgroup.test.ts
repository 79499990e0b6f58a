import { describe, expect, it } from 'vitest';
import { parseProcCgroup, parseWorkloadOfProcess } from '../../../collectors/cgroup/proc-cgroup.js';
import { fuzzParser } from '../parser-fuzz.js';

const ID = '3f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a21';

describe('parseProcCgroup', () => {
  it('parses /proc/self/cgroup of a hybrid host', () => {
    const self = parseProcCgroup('9:name=systemd:/\n4:memory:/app\n2:cpu,cpuacct:/app\n0::/\n');
    expect(self.v2).toBe('/');
    expect(self.v1.get('cpu')).toBe('/app');
    expect(self.v1.get('memory')).toBe('/app');
    expect(() => parseProcCgroup('garbage\n')).toThrow(/line 1/);
    fuzzParser(parseProcCgroup, '9:name=systemd:/\n4:memory:/app\n0::/\n');
  });
});

describe('parseWorkloadOfProcess', () => {
  it('takes the v2 path on a pure v2 host, up to the nearest workload', () => {
    expect(parseWorkloadOfProcess('0::/system.slice/nginx.service\n')).toBe('/system.slice/nginx.service');
    expect(parseWorkloadOfProcess(`0::/system.slice/docker-${ID}.scope/init\n`)).toBe(
      `/system.slice/docker-${ID}.scope`,
    );
    expect(parseWorkloadOfProcess('0::/user.slice/user-1000.slice/session-4.scope\n')).toBe(
      '/user.slice/user-1000.slice/session-4.scope',
    );
  });

  it('gives no workload for the root, a slice or a kernel thread', () => {
    expect(parseWorkloadOfProcess('0::/\n')).toBeUndefined();
    expect(parseWorkloadOfProcess('0::/user.slice\n')).toBeUndefined();
    expect(parseWorkloadOfProcess('12:pids:/\n4:memory:/\n0::/\n')).toBeUndefined();
  });

  it('takes the pids, cpu or memory path of a v1 host', () => {
    const v1 = `12:pids:/docker/${ID}\n4:memory:/docker/${ID}\n3:cpu,cpuacct:/docker/${ID}\n1:name=systemd:/docker/${ID}\n`;
    expect(parseWorkloadOfProcess(v1)).toBe(`/docker/${ID}`);
    expect(parseWorkloadOfProcess('3:cpu,cpuacct:/system.slice/cron.service\n')).toBe('/system.slice/cron.service');
  });

  it('prefers the container of a v1 hierarchy to the shim service of the unified one on a hybrid host', () => {
    const hybrid = `12:pids:/docker/${ID}\n0::/system.slice/containerd.service\n`;
    expect(parseWorkloadOfProcess(hybrid)).toBe(`/docker/${ID}`);
  });

  it('cuts a path at a segment that could not be an id (control characters, spaces)', () => {
    expect(parseWorkloadOfProcess('0::/system.slice/app.service/a b\n')).toBe('/system.slice/app.service');
    expect(parseWorkloadOfProcess('0::/system.slice/\x1b[31mx.service\n')).toBeUndefined();
  });

  it('throws only ParseError on damaged text', () => {
    fuzzParser(parseWorkloadOfProcess, `12:pids:/docker/${ID}\n0::/system.slice/containerd.service\n`);
  });
});
