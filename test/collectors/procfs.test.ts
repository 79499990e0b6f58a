import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcFs } from '../../collectors/procfs.js';

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const ownFds = () => readdirSync('/proc/self/fd').length;

describe('ProcFs on the live /proc', () => {
  it('reads a kept per-pid file until its process exits, then reports it absent and holds no descriptor', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const fs = new ProcFs('/');
    try {
      const before = ownFds();
      const first = fs.readKept(`proc/${pid}/stat`, true);
      expect(first.ok && first.text.startsWith(`${pid} (sleep) `)).toBe(true);
      expect(ownFds()).toBe(before + 1);
      const again = fs.readKept(`proc/${pid}/stat`, true);
      expect(again.ok).toBe(true);
      expect(ownFds()).toBe(before + 1);

      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      // the kept descriptor now answers ESRCH; the fresh open finds no such directory
      expect(fs.readKept(`proc/${pid}/stat`, true)).toMatchObject({ ok: false, status: 'absent' });
      expect(ownFds()).toBe(before);
    } finally {
      child.kill('SIGKILL');
      fs.close();
    }
  });

  it('releases a kept descriptor on request', () => {
    const fs = new ProcFs('/');
    const before = ownFds();
    expect(fs.readKept('proc/self/stat', true).ok).toBe(true);
    expect(ownFds()).toBe(before + 1);
    fs.release('proc/self/stat');
    expect(ownFds()).toBe(before);
    fs.release('proc/self/stat');
    fs.close();
  });

  it('returns the whole of a single-record file in one read', () => {
    const fs = new ProcFs('/');
    const r = fs.readOnce('proc/self/status', true);
    expect(r.ok).toBe(true);
    const text = r.ok ? r.text : '';
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .split('\n')
        .filter((l) => l.includes(':'))
        .map((l) => l.slice(0, l.indexOf(':'))),
    ).toEqual(
      readFileSync('/proc/self/status', 'latin1')
        .split('\n')
        .filter((l) => l.includes(':'))
        .map((l) => l.slice(0, l.indexOf(':'))),
    );
  });

  it('counts open descriptors of a process exactly as they are opened and closed', () => {
    const fs = new ProcFs('/');
    const count = () => {
      const r = fs.countFds(`proc/${process.pid}/fd`);
      if (!r.ok) throw new Error(`countFds: ${r.reason}`);
      return r.count;
    };
    const before = count();
    const opened = [0, 1, 2, 3, 4].map(() => openSync('/proc/self/stat', 'r'));
    try {
      expect(count()).toBe(before + 5);
    } finally {
      for (const fd of opened) closeSync(fd);
    }
    expect(count()).toBe(before);
  });

  const [major, minor] = release().split('.').map(Number);
  const fdSizes = major > 6 || (major === 6 && minor >= 2);
  it.skipIf(!fdSizes)('counts descriptors from the size procfs gives proc/<pid>/fd (Linux 6.2 and later)', () => {
    const fs = new ProcFs('/');
    const r = fs.countFds(`proc/${process.pid}/fd`);
    expect(r).toEqual({ ok: true, count: statSync(`/proc/${process.pid}/fd`).size });
    expect(r.ok && r.count).toBeGreaterThan(0);
  });

  it('reports the fd directory of a process that does not exist as absent', () => {
    expect(new ProcFs('/').countFds('proc/0/fd')).toMatchObject({ ok: false, status: 'absent' });
  });
});

describe('ProcFs on a fixture tree', () => {
  it('counts fd entries by listing them, since a plain directory has no fd count in its size', () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-procfs-'));
    scratch.push(root);
    mkdirSync(join(root, 'proc/42/fd'), { recursive: true });
    for (const fd of ['0', '1', '2']) writeFileSync(join(root, 'proc/42/fd', fd), '');
    expect(new ProcFs(root).countFds('proc/42/fd')).toEqual({ ok: true, count: 3 });
  });

  it('lists only the subdirectories of a directory, and reports a missing one as absent', () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-procfs-'));
    scratch.push(root);
    mkdirSync(join(root, 'cg/a.service'), { recursive: true });
    mkdirSync(join(root, 'cg/b.slice'));
    writeFileSync(join(root, 'cg/cgroup.procs'), '');
    const listing = new ProcFs(root).listSubdirs('cg');
    expect(listing.ok && listing.names.sort()).toEqual(['a.service', 'b.slice']);
    expect(new ProcFs(root).listSubdirs('nope')).toEqual({ ok: false, status: 'absent', reason: 'ENOENT' });
  });

  it('lists no subdirectories of a directory whose link count says it has none', () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-procfs-'));
    scratch.push(root);
    mkdirSync(join(root, 'cg/leaf.service'), { recursive: true });
    writeFileSync(join(root, 'cg/leaf.service/cgroup.procs'), '');
    const fs = new ProcFs(root);
    expect(fs.listSubdirs('cg/leaf.service')).toEqual({ ok: true, names: [] });
    // a listing of a directory that has a subdirectory still finds it
    expect(fs.listSubdirs('cg')).toEqual({ ok: true, names: ['leaf.service'] });
    expect(fs.listSubdirs('cg/leaf.service/cgroup.procs')).toMatchObject({ ok: false, status: 'absent' });
  });

  it('reads at most maxBytes of a file and says whether there was more', () => {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-procfs-'));
    scratch.push(root);
    writeFileSync(join(root, 'exact'), 'x'.repeat(16));
    writeFileSync(join(root, 'longer'), 'y'.repeat(17));
    const fs = new ProcFs(root);
    expect(fs.readHead('exact', 16)).toEqual({ ok: true, text: 'x'.repeat(16), truncated: false });
    expect(fs.readHead('longer', 16)).toEqual({ ok: true, text: 'y'.repeat(16), truncated: true });
    expect(fs.readHead('missing', 16)).toMatchObject({ ok: false, status: 'absent' });
  });
});
