import { NOT_A_COUNTER, Scanner, smallCounterAt } from './parse.js';
import type { ProcFs } from './procfs.js';

/** uid → login name from passwd text; malformed lines are skipped (a name is a nicety, not a measurement). */
export function parsePasswd(text: string): Map<number, string> {
  const names = new Map<number, string>();
  const s = new Scanner(text);
  while (s.nextLine()) {
    const nameEnd = text.indexOf(':', s.lineStart);
    if (nameEnd <= s.lineStart || nameEnd >= s.lineEnd) continue;
    const pwEnd = text.indexOf(':', nameEnd + 1);
    const uidEnd = pwEnd < 0 ? -1 : text.indexOf(':', pwEnd + 1);
    if (pwEnd < 0 || pwEnd >= s.lineEnd || uidEnd <= pwEnd + 1 || uidEnd > s.lineEnd) continue;
    const uid = smallCounterAt(text, pwEnd + 1, uidEnd);
    // the first entry wins, as getpwuid(3) does
    if (uid !== NOT_A_COUNTER && !names.has(uid)) names.set(uid, text.slice(s.lineStart, nameEnd));
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
