/**
 * One OOM kill as the kernel logs it (mm/oom_kill.c). A kill logs two records: the summary
 * `oom-kill:constraint=…,oom_memcg=…,task_memcg=…,task=NAME,pid=PID,uid=UID` (Linux 4.19+), which says
 * where the victim ran, and `<why>: Killed process PID (NAME) total-vm:…kB, anon-rss:…kB,
 * file-rss:…kB, shmem-rss:…kB, …`, which says how much memory it held. Either alone names the victim.
 */
export interface OomKillRecord {
  pid: number;
  /** The victim's comm, as the kernel logged it. */
  name: string;
  /** The cgroup the victim ran in (`task_memcg`): "/system.slice/x.service", "/" for the root. */
  memcg?: string;
  /** The memory cgroup whose limit was hit (`oom_memcg`); absent for a host-wide OOM. */
  oomMemcg?: string;
  /** anon-rss + file-rss + shmem-rss at the kill, in kB. */
  rssKb?: number;
  /** Epoch ms of the record. */
  ts: number;
}

/** The kernel escapes a backslash and unprintable bytes in /dev/kmsg as \xNN; a cgroup path is given back unescaped. */
const KMSG_ESCAPE = /\\x([0-9a-f]{2})/g;

function unescapeKmsg(text: string): string {
  return text.replace(KMSG_ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

// Paths and comms may hold commas, so the fields are anchored on the names that follow them.
const SUMMARY = /^oom-kill:constraint=[^,]*,.*?(?:,oom_memcg=(.*?))?,task_memcg=(.*),task=(.*),pid=(\d{1,10}),uid=\d+$/;
const KILLED = /(?:^|: )Killed process (\d{1,10}) \((.*)\) total-vm:\d+kB((?:, [a-z]+-rss:\d+kB)*)/;
const RSS_PART = /[a-z]+-rss:(\d+)kB/g;

function pidOf(digits: string): number | undefined {
  const pid = Number(digits);
  return pid > 0 && pid <= 0x3fffffff ? pid : undefined;
}

function fromSummary(m: RegExpExecArray, ts: number): OomKillRecord | undefined {
  const pid = pidOf(m[4]);
  if (pid === undefined || m[3] === '') return undefined;
  const record: OomKillRecord = { pid, name: m[3], memcg: unescapeKmsg(m[2]), ts };
  if (m[1] !== undefined) record.oomMemcg = unescapeKmsg(m[1]);
  return record;
}

function fromKilled(m: RegExpExecArray, ts: number): OomKillRecord | undefined {
  const pid = pidOf(m[1]);
  if (pid === undefined || m[2] === '') return undefined;
  const record: OomKillRecord = { pid, name: m[2], ts };
  let rssKb = 0;
  let parts = 0;
  for (const part of m[3].matchAll(RSS_PART)) {
    rssKb += Number(part[1]);
    parts++;
  }
  if (parts > 0) record.rssKb = rssKb;
  return record;
}

/**
 * The victim an OOM record of the kernel log names, or undefined for the other lines of an OOM
 * report ("invoked oom-killer", the task dump, "oom_reaper: reaped process") and anything else.
 */
export function parseOomKillRecord(text: string, ts: number): OomKillRecord | undefined {
  if (text.startsWith('oom-kill:')) {
    const m = SUMMARY.exec(text);
    return m === null ? undefined : fromSummary(m, ts);
  }
  const m = KILLED.exec(text);
  return m === null ? undefined : fromKilled(m, ts);
}
