import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notBuiltReason, stopProcess, usewatch, waitFor } from './agent-process.js';

/**
 * The process table says which service or container each process runs in: a busy process started
 * in a hand-made scope is recorded with that scope's id. The scope goes under the v1 pids
 * controller where there is one (this kind of hybrid host), else under the v2 hierarchy.
 */
const HIERARCHIES = ['/sys/fs/cgroup/pids', '/sys/fs/cgroup/unified', '/sys/fs/cgroup'];
const hierarchy = HIERARCHIES.find((h) => existsSync(join(h, 'cgroup.procs')));
const scope = `usewatch-e2e-${process.pid}.scope`;

/** Makes the scope; why not, when it cannot be made (not root, a read-only cgroupfs in a container). */
function makeScope(): string | undefined {
  if (hierarchy === undefined) return 'neither a v1 pids controller nor a v2 hierarchy is mounted';
  try {
    mkdirSync(join(hierarchy, scope));
    return undefined;
  } catch (err) {
    return `cannot create a cgroup under ${hierarchy}: ${(err as NodeJS.ErrnoException).code}`;
  }
}
const skipReason = notBuiltReason ?? makeScope();
if (skipReason) console.log(`skipped: ${skipReason}`);

const dir = mkdtempSync(join(tmpdir(), 'usewatch-process-cgroup-'));
let busy: ChildProcess | undefined;

afterAll(async () => {
  await stopProcess(busy);
  if (hierarchy !== undefined && existsSync(join(hierarchy, scope))) rmdirSync(join(hierarchy, scope));
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipReason !== undefined)('process cgroup', () => {
  it('records a process started in a scope with the scope as its cgroup', async () => {
    const cgroup = join(hierarchy ?? '', scope);
    // the shell joins the scope, then execs the busy loop: a CPU user the process table lists
    busy = spawn('sh', ['-c', `echo $$ > ${join(cgroup, 'cgroup.procs')} && exec yes > /dev/null`], {
      stdio: 'ignore',
    });
    const pid = busy.pid;
    await waitFor('the busy process to run', 5000, () => (busy?.exitCode === null ? true : undefined));
    const out = join(dir, 'run.ndjson.gz');
    const recorded = usewatch('record', '--out', out, '--for', '3s', '--interval', '500ms');
    expect(recorded.code, recorded.stderr).toBe(0);
    await stopProcess(busy);

    const printed = usewatch('replay', out, '--format', 'ndjson');
    expect(printed.code, printed.stderr).toBe(0);
    const frames = printed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { processes: { pid: number; cgroup?: string }[] });
    const listed = frames.flatMap((f) => f.processes.filter((p) => p.pid === pid));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((p) => p.cgroup === `/${scope}`)).toBe(true);
  });
});
