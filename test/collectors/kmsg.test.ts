import { accessSync, appendFileSync, constants, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  classifyKernelMessage,
  createKmsgCollector,
  KmsgScanner,
  MAX_EVENTS_PER_TICK,
  parseKmsgRecord,
  sanitizeKernelText,
  splitKmsgText,
} from '../../collectors/kmsg.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { fuzzParser } from './parser-fuzz.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const newRecords = readFileSync(join(fixtures, 'kmsg', 'new-records'), 'latin1');
const BOOT_MS = 1795612995 * 1000; // btime of test/fixtures/kmsg/proc/stat

describe('parseKmsgRecord', () => {
  it('reads prio, seq, timestamp and the first line of text', () => {
    expect(parseKmsgRecord('3,415,8000000,-;blk_update_request: I/O error, dev vda\n SUBSYSTEM=block\n')).toEqual({
      level: 3,
      facility: 0,
      seq: 415,
      tsUs: 8000000,
      text: 'blk_update_request: I/O error, dev vda',
    });
    expect(parseKmsgRecord('30,7,12,c,extra;systemd[1]: started').facility).toBe(3);
  });

  it('names what is wrong with a malformed record', () => {
    expect(() => parseKmsgRecord('no separator')).toThrow(/without ";"/);
    expect(() => parseKmsgRecord('3,4;text')).toThrow(/prio,seq,ts,flags/);
    expect(() => parseKmsgRecord('3,x,0,-;text')).toThrow(/kmsg seq/);
  });

  it('rejects nonsense and truncations only with ParseError', () => {
    fuzzParser(parseKmsgRecord, newRecords.split('\n')[0]);
  });
});

describe('classifyKernelMessage', () => {
  it.each([
    ['Out of memory: Killed process 4321 (stress-ng)', 'memory', 'oom'],
    ['Memory cgroup out of memory: Killed process 12 (java)', 'memory', 'oom'],
    ['stress-ng invoked oom-killer: gfp_mask=0x140cca', 'memory', 'oom'],
    ['kworker/u4:1: page allocation failure: order:4', 'memory', 'alloc_failure'],
    ['I/O error, dev sda, sector 2048 op 0x1:(WRITE)', 'disk', 'io_error'],
    ['blk_update_request: critical medium error, dev sdb', 'disk', 'io_error'],
    ['Buffer I/O error on dev sdb1, logical block 0', 'disk', 'io_error'],
    ['mce: [Hardware Error]: CPU 0: Machine Check: 0 Bank 5', 'cpu', 'mce'],
    ['EXT4-fs error (device vda1): ext4_find_entry:1463', 'filesystem', 'fs_error'],
    ['XFS (dm-0): Corruption detected. Unmount and run xfs_repair', 'filesystem', 'fs_error'],
    ['XFS (sdb1): metadata I/O error in "xfs_trans_read_buf_map"', 'filesystem', 'fs_error'],
    ['EXT4-fs (vda1): Remounting filesystem read-only', 'filesystem', 'fs_error'],
    ['VFS: file-max limit 8192 reached', 'fd', 'file_max'],
    ['cgroup: fork rejected by pids controller in /user.slice', 'tasks', 'fork_rejected'],
    ['nf_conntrack: nf_conntrack: table full, dropping packet', 'conntrack', 'conntrack_full'],
    ['TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.', 'tcp', 'syn_flood'],
  ])('%s → %s/%s', (text, resource, kind) => {
    expect(classifyKernelMessage(text)).toEqual({ resource, kind });
  });

  it('leaves ordinary messages alone', () => {
    expect(classifyKernelMessage('virtio_net virtio1 eth0: renamed from veth0')).toBeUndefined();
    expect(classifyKernelMessage('XFS (vda1): Mounting V5 Filesystem')).toBeUndefined();
  });
});

describe('sanitizeKernelText', () => {
  it('drops terminal escape sequences and control characters, keeps the kernel \\xNN escapes as text', () => {
    expect(sanitizeKernelText('dev \x1b[31mvda1\x1b[0m, bell \x07 end\r')).toBe('dev vda1, bell  end');
    expect(sanitizeKernelText('name \\x1b[31m kept')).toBe('name \\x1b[31m kept');
    expect(sanitizeKernelText('x'.repeat(1000)).length).toBeLessThan(450);
  });
});

describe('splitKmsgText', () => {
  it('joins KEY=value continuation lines to their record and keeps an unfinished line', () => {
    expect(splitKmsgText('3,1,0,-;a\n SUBSYSTEM=block\n6,2,0,-;b\n6,3,0,-;par')).toEqual({
      records: ['3,1,0,-;a\n SUBSYSTEM=block', '6,2,0,-;b'],
      rest: '6,3,0,-;par',
    });
  });
});

describe('KmsgScanner', () => {
  it('reports each sequence number once', () => {
    const scanner = new KmsgScanner();
    scanner.skip(['6,10,0,-;boot']);
    const records = [
      '3,10,5,-;Out of memory: Killed process 1 (a)',
      '3,11,2000000,-;Out of memory: Killed process 2 (b)',
    ];
    const first = scanner.scan(records, BOOT_MS);
    expect(first.counts.oom).toBe(1);
    expect(first.events).toEqual([
      { ts: BOOT_MS + 2000, resource: 'memory', kind: 'oom', text: 'Out of memory: Killed process 2 (b)' },
    ]);
    expect(scanner.scan(records, BOOT_MS).counts.oom).toBe(0);
  });

  it('caps the events of a storm but counts every record', () => {
    const storm = Array.from({ length: 100 }, (_, i) => `3,${i},0,-;I/O error, dev vda, sector ${i}`);
    const sample = new KmsgScanner().scan(storm, BOOT_MS);
    expect(sample.counts.io_error).toBe(100);
    expect(sample.events).toHaveLength(MAX_EVENTS_PER_TICK);
  });

  it('skips malformed records and remembers why', () => {
    const scanner = new KmsgScanner();
    expect(scanner.scan(['garbage', '3,1,0,-;I/O error'], BOOT_MS).counts.io_error).toBe(1);
    expect(scanner.malformed).toEqual([expect.stringContaining('without ";"')]);
  });
});

describe('createKmsgCollector', () => {
  let cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const f of cleanup) f();
    cleanup = [];
  });

  function scratchRoot() {
    const root = mkdtempSync(join(tmpdir(), 'usewatch-kmsg-'));
    cpSync(join(fixtures, 'kmsg'), root, { recursive: true });
    const collector = createKmsgCollector();
    const fs = new ProcFs(root);
    cleanup.push(() => {
      collector.close();
      fs.close();
      rmSync(root, { recursive: true, force: true });
    });
    const read = async () => {
      const log = new SourceLog(fs);
      return { sample: await collector.read(log), reports: log.reports };
    };
    return { root, read };
  }

  it('skips the history on the first read, then reports new records once', async () => {
    const { root, read } = scratchRoot();
    const first = await read();
    expect(first.sample?.events).toEqual([]);
    expect(Object.values(first.sample?.counts ?? {}).every((n) => n === 0)).toBe(true);
    expect(first.reports).toEqual([{ source: 'dev/kmsg', status: 'ok' }]);

    appendFileSync(join(root, 'dev/kmsg'), newRecords);
    const second = (await read()).sample;
    expect(second?.counts).toEqual({
      oom: 3,
      alloc_failure: 1,
      io_error: 3,
      mce: 1,
      fs_error: 1,
      file_max: 1,
      fork_rejected: 1,
      conntrack_full: 1,
      syn_flood: 1,
    });
    expect(second?.events[0]).toEqual({
      ts: BOOT_MS + 7000,
      resource: 'memory',
      kind: 'oom',
      text: 'stress-ng invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=1000',
    });
    expect(second?.events.at(-1)?.text).toBe('Buffer I/O error on dev vda1, bell  end');
    expect(second?.events.at(-2)?.text).toBe('Buffer I/O error on dev \\x1b[31mvda1, logical block 7');

    expect((await read()).sample?.events).toEqual([]);
    appendFileSync(join(root, 'dev/kmsg'), newRecords);
    expect((await read()).sample?.counts.oom).toBe(0);
  });

  it('reports a missing /dev/kmsg once as absent', async () => {
    const { root, read } = scratchRoot();
    rmSync(join(root, 'dev/kmsg'));
    expect(await read()).toEqual({
      sample: undefined,
      reports: [{ source: 'dev/kmsg', status: 'absent', reason: 'ENOENT' }],
    });
    expect(await read()).toEqual({ sample: undefined, reports: [] });
  });

  const liveReadable = (() => {
    try {
      accessSync('/dev/kmsg', constants.R_OK);
      return true;
    } catch {
      return false;
    }
  })();

  it.runIf(liveReadable)('reads the live /dev/kmsg without blocking', async () => {
    const collector = createKmsgCollector();
    const fs = new ProcFs('/');
    try {
      const first = new SourceLog(fs);
      expect((await collector.read(first))?.events).toEqual([]);
      const second = new SourceLog(fs);
      expect(await collector.read(second)).toBeDefined();
      expect(second.reports.map((r) => r.status)).toEqual(['ok']);
    } finally {
      collector.close();
      fs.close();
    }
  });
});
