import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * System-wide files copied from this machine's /proc so that the other collectors find a plausible
 * host; the first group must exist, the second is copied when this kernel has it.
 */
const REQUIRED_SYSTEM_FILES = [
  'proc/stat',
  'proc/loadavg',
  'proc/meminfo',
  'proc/vmstat',
  'proc/diskstats',
  'proc/net/dev',
  'proc/net/snmp',
  'proc/net/netstat',
  'proc/sys/fs/file-nr',
];
const OPTIONAL_SYSTEM_FILES = [
  'proc/uptime',
  'proc/sys/kernel/hostname',
  'proc/sys/kernel/osrelease',
  'proc/pressure/cpu',
  'proc/pressure/memory',
  'proc/pressure/io',
  'proc/sys/fs/file-max',
  'proc/sys/kernel/threads-max',
  'proc/sys/kernel/pid_max',
  'proc/net/sockstat',
];

const USERS: [string, number][] = [
  ['root', 0],
  ['daemon', 1],
  ['www-data', 33],
  ['postgres', 105],
  ['app', 1000],
  ['ci', 1001],
];

const PROGRAMS = [
  ['nginx', '/usr/sbin/nginx -g daemon off;'],
  ['postgres', '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main'],
  ['node', 'node /srv/app/server.js --port 8080'],
  ['java', '/usr/bin/java -Xmx2g -jar /opt/svc/service.jar'],
  ['python3', '/usr/bin/python3 -m worker --queue default'],
  ['sshd', 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'],
  ['bash', '-bash'],
  ['(sd-pam)', '(sd-pam)'],
  ['a) b', './a) b --weird'],
  ['systemd-journal', '/lib/systemd/systemd-journald'],
  ['cron', '/usr/sbin/cron -f'],
  ['redis-server', '/usr/bin/redis-server 127.0.0.1:6379'],
];
const KERNEL_THREADS = ['kworker/0:1-events', 'ksoftirqd/0', 'kswapd0', 'jbd2/vda1-8', 'rcu_preempt', 'kcompactd0'];

const PF_KTHREAD_FLAGS = 0x208040;
const PF_USER_FLAGS = 0x400100;

/** Deterministic pseudo-random numbers (mulberry32), so two runs generate the same tree. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function write(root: string, rel: string, text: string): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * Writes a fake root under `dir` with `count` processes (proc/<pid>/{stat,status,io,schedstat,
 * cmdline,limits,cgroup,fd/}) with varied plausible values — about a tenth kernel threads, a few in
 * D and Z state, comms with spaces and ')' — plus etc/passwd and the system-wide files the other
 * collectors read, copied from this machine's /proc. Used by the benchmark to measure a tick at
 * a known process count.
 */
export function generateProcTree(dir: string, count: number): void {
  const random = rng(count);
  const int = (max: number) => Math.floor(random() * max);
  for (const rel of REQUIRED_SYSTEM_FILES) write(dir, rel, readFileSync(join('/', rel), 'latin1'));
  for (const rel of OPTIONAL_SYSTEM_FILES) {
    try {
      write(dir, rel, readFileSync(join('/', rel), 'latin1'));
    } catch {
      // not on this kernel (PSI disabled, no sockstat): the tree simply lacks it, as that host would
    }
  }
  write(dir, 'proc/self/mountinfo', '');
  write(dir, 'etc/passwd', USERS.map(([name, uid]) => `${name}:x:${uid}:${uid}::/home/${name}:/bin/sh\n`).join(''));

  for (let i = 0; i < count; i++) {
    // pids are dense at boot and sparse later, as on a real host
    const pid = i < 200 ? i + 1 : 201 + (i - 200) * 3 + int(3);
    const kthread = i > 0 && i < count / 10;
    const [comm, cmd] = kthread ? [KERNEL_THREADS[i % KERNEL_THREADS.length], ''] : PROGRAMS[i % PROGRAMS.length];
    const roll = random();
    const state = kthread ? (roll < 0.7 ? 'I' : 'S') : roll < 0.01 ? 'D' : roll < 0.015 ? 'Z' : roll < 0.05 ? 'R' : 'S';
    const threads = kthread ? 1 : 1 + (random() < 0.2 ? int(200) : int(4));
    const rssPages = kthread || state === 'Z' ? 0 : 200 + int(random() < 0.1 ? 500_000 : 20_000);
    const vsize = kthread ? 0 : rssPages * 4096 * (2 + int(20));
    const utime = int(500_000);
    const stime = int(100_000);
    const starttime = 20 + i * 37 + int(30);
    const uid = kthread ? 0 : USERS[int(USERS.length)][1];
    const p = `proc/${pid}`;
    const flags = kthread ? PF_KTHREAD_FLAGS : PF_USER_FLAGS;
    write(
      dir,
      `${p}/stat`,
      `${pid} (${comm}) ${state} ${i === 0 ? 0 : 1} ${pid} ${pid} 0 -1 ${flags} ${int(1e6)} 0 ${int(5000)} 0 ` +
        `${utime} ${stime} 0 0 20 0 ${threads} 0 ${starttime} ${vsize} ${rssPages} 18446744073709551615 ` +
        `1 1 0 0 0 0 0 4096 1256 0 0 0 17 ${int(2)} 0 0 0 0 0 0 0 0 0 0 0 0 0\n`,
    );
    write(dir, `${p}/status`, status(comm, state, pid, uid, rssPages * 4, threads, kthread, int));
    write(
      dir,
      `${p}/io`,
      `rchar: ${int(1e12)}\nwchar: ${int(1e11)}\nsyscr: ${int(1e7)}\nsyscw: ${int(1e7)}\n` +
        `read_bytes: ${int(1e11)}\nwrite_bytes: ${int(1e10)}\ncancelled_write_bytes: ${int(1e8)}\n`,
    );
    write(dir, `${p}/schedstat`, `${(utime + stime) * 10_000_000} ${int(1e11)} ${int(1e6)}\n`);
    write(dir, `${p}/cmdline`, cmd === '' ? '' : `${cmd.split(' ').join('\0')}\0`);
    write(dir, `${p}/limits`, limits(random() < 0.5 ? 1024 : 1048576));
    write(dir, `${p}/cgroup`, kthread ? '0::/\n' : `0::/system.slice/svc-${pid % 40}.service\n`);
    mkdirSync(join(dir, p, 'fd'), { recursive: true });
    if (!kthread) {
      for (let fd = 0, fds = 3 + (pid % 13); fd < fds; fd++) symlinkSync('/dev/null', join(dir, p, 'fd', String(fd)));
    }
  }
}

function status(
  name: string,
  state: string,
  pid: number,
  uid: number,
  rssKiB: number,
  threads: number,
  kthread: boolean,
  int: (max: number) => number,
): string {
  const vm = kthread
    ? ''
    : `VmPeak:\t${rssKiB * 3} kB\nVmSize:\t${rssKiB * 2} kB\nVmLck:\t0 kB\nVmPin:\t0 kB\nVmHWM:\t${rssKiB} kB\n` +
      `VmRSS:\t${rssKiB} kB\nRssAnon:\t${rssKiB >> 1} kB\nRssFile:\t${rssKiB >> 1} kB\nRssShmem:\t0 kB\n` +
      `VmData:\t${rssKiB} kB\nVmStk:\t132 kB\nVmExe:\t20 kB\nVmLib:\t1528 kB\nVmPTE:\t40 kB\nVmSwap:\t${int(1000)} kB\n` +
      'HugetlbPages:\t0 kB\n';
  return (
    `Name:\t${name}\nUmask:\t0022\nState:\t${state} (sleeping)\nTgid:\t${pid}\nNgid:\t0\nPid:\t${pid}\nPPid:\t1\n` +
    `TracerPid:\t0\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\nFDSize:\t64\nGroups:\t\n` +
    `NStgid:\t${pid}\nNSpid:\t${pid}\nNSpgid:\t${pid}\nNSsid:\t${pid}\nKthread:\t${kthread ? 1 : 0}\n${vm}` +
    `CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t${threads}\nSigQ:\t0/96364\nSigPnd:\t0000000000000000\n` +
    'ShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000001000\nSigCgt:\t0000000000004a02\n' +
    'CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t000001ffffffffff\n' +
    'CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n' +
    'Speculation_Store_Bypass:\tvulnerable\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n' +
    'Mems_allowed:\t00000000,00000001\nMems_allowed_list:\t0\n' +
    `voluntary_ctxt_switches:\t${int(1e6)}\nnonvoluntary_ctxt_switches:\t${int(1e5)}\n`
  );
}

function limits(openFiles: number): string {
  const row = (name: string, soft: string, hard: string, unit: string) =>
    `${name.padEnd(26)}${soft.padEnd(21)}${hard.padEnd(21)}${unit.padEnd(10)}\n`;
  return (
    row('Limit', 'Soft Limit', 'Hard Limit', 'Units') +
    row('Max cpu time', 'unlimited', 'unlimited', 'seconds') +
    row('Max file size', 'unlimited', 'unlimited', 'bytes') +
    row('Max stack size', '8388608', 'unlimited', 'bytes') +
    row('Max processes', '96364', '96364', 'processes') +
    row('Max open files', String(openFiles), String(openFiles), 'files') +
    row('Max locked memory', '8388608', '8388608', 'bytes') +
    row('Max pending signals', '96364', '96364', 'signals')
  );
}
