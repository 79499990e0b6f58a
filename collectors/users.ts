import type { ProcFs } from './procfs.js';

/** uid → login name from passwd text; malformed lines are skipped (a name is a nicety, not a measurement). */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const nameEnd = text.indexOf(':', start);
    if (nameEnd > start && nameEnd < end) {
      const pwEnd = text.indexOf(':', nameEnd + 1);
      const uidEnd = pwEnd < 0 ? -1 : text.indexOf(':', pwEnd + 1);
      if (pwEnd >= 0 && pwEnd < end && uidEnd > pwEnd + 1 && uidEnd <= end) {
        const uid = Number(text.slice(pwEnd + 1, uidEnd));
        // the first entry wins, as getpwuid(3) does
        if (Number.isInteger(uid) && uid >= 0 && !names.has(uid)) names.set(uid, text.slice(start, nameEnd));
      }
    }
    start = end + 1;
  }
  return names;
}

/**
 * Resolves uids to names from etc/passwd under the root. The file is read once; an unknown uid
 * triggers a re-read (a user added since), at most once per `retryTicks` calls of `nextTick`, so a
 * uid with no passwd entry (containers, LDAP) costs nothing per tick and falls back to the number.
 */
export class UserNames {
  private names: Map<number, string> | undefined;
  private tick = 0;
  private lastLoadTick = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fs: ProcFs,
    private readonly retryTicks = 30,
  ) {}

  nextTick(): void {
    this.tick++;
  }

  name(uid: number): string {
    if (this.names === undefined) this.load();
    let name = this.names?.get(uid);
    if (name === undefined && this.tick - this.lastLoadTick >= this.retryTicks) {
      this.load();
      name = this.names?.get(uid);
    }
    return name ?? String(uid);
  }

  private load(): void {
    this.lastLoadTick = this.tick;
    const r = this.fs.readOnce('etc/passwd');
    this.names = r.ok ? parsePasswd(r.text) : new Map();
  }
}
