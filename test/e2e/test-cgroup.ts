import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The end-to-end tests' own cgroups, made as root on the test host and removed after. */
export const ROOT = '/sys/fs/cgroup';
export const pureV2 = existsSync(join(ROOT, 'cgroup.controllers'));
export const v1 = (controller: string) => existsSync(join(ROOT, controller, 'cgroup.procs'));

/** One cgroup at the same path in every hierarchy the host has. */
export class TestCgroup {
  readonly id: string;
  private readonly dirs: Map<string, string>;
  constructor(name: string) {
    this.id = `/system.slice/${name}`;
    const hierarchies = pureV2
      ? [['v2', ROOT]]
      : ['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'unified'].filter(v1).map((c) => [c, join(ROOT, c)]);
    this.dirs = new Map(hierarchies.map(([c, base]) => [c, join(base, this.id)]));
    for (const dir of this.dirs.values()) mkdirSync(dir, { recursive: true });
    if (pureV2) writeFileSync(join(ROOT, 'system.slice', 'cgroup.subtree_control'), '+cpu +memory +pids +io');
  }
  set(controller: string, file: string, value: string): void {
    writeFileSync(join(this.dirs.get(pureV2 ? 'v2' : controller)!, file), value);
  }
  /** A shell line that moves the shell into every hierarchy's cgroup, then runs `command`. */
  run(command: string): ChildProcess {
    const moves = [...this.dirs.values()].map((d) => `echo $$ > ${d}/cgroup.procs`).join('; ');
    return spawn('sh', ['-c', `${moves}; exec ${command}`], { stdio: 'ignore' });
  }
  remove(): void {
    for (const dir of this.dirs.values()) {
      for (let i = 0; i < 50; i++) {
        try {
          rmdirSync(dir);
          break;
        } catch {
          spawnSync('sh', ['-c', `kill -9 $(cat ${dir}/cgroup.procs) 2>/dev/null`]);
          spawnSync('sleep', ['0.1']);
        }
      }
    }
  }
}
