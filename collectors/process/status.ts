import { equalsAt, skipBlanks } from '../parse.js';
import { ParseError } from '../types.js';
import { forEachKeyedLine, tokenEnd, unsignedAt } from './digits.js';

/** Fields of /proc/<pid>/status that usewatch uses; each is absent when its line is. */
export interface ProcStatus {
  name?: string;
  /** Effective uid (second column of Uid:), as ps and top show. */
  uid?: number;
  vmRssKiB?: number;
  vmSwapKiB?: number;
  threads?: number;
  voluntaryCtxtSwitches?: number;
  nonvoluntaryCtxtSwitches?: number;
  /** `Kthread:` line (kernel 6.x); undefined on older kernels. */
  kthread?: boolean;
}

/**
 * Parses /proc/<pid>/status by key (never by position: lines come and go across kernels). Keys are
 * matched in place: slicing each of the ~57 keys cost about 1 KB of garbage per process per tick.
 */
export function parseProcStatus(text: string): ProcStatus {
  const out: ProcStatus = {};
  let known = 0;
  forEachKeyedLine(text, (key, colon, v, lineEnd) => {
    if (equalsAt(text, key, colon, 'Name')) {
      out.name = text.slice(v, lineEnd);
      known++;
    } else if (equalsAt(text, key, colon, 'Uid')) {
      out.uid = effectiveUid(text, v, lineEnd);
      known++;
    } else if (equalsAt(text, key, colon, 'VmRSS')) {
      out.vmRssKiB = unsignedAt(text, v, tokenEnd(text, v, lineEnd), 'status: VmRSS');
    } else if (equalsAt(text, key, colon, 'VmSwap')) {
      out.vmSwapKiB = unsignedAt(text, v, tokenEnd(text, v, lineEnd), 'status: VmSwap');
    } else if (equalsAt(text, key, colon, 'Threads')) {
      out.threads = unsignedAt(text, v, lineEnd, 'status: Threads');
    } else if (equalsAt(text, key, colon, 'voluntary_ctxt_switches')) {
      out.voluntaryCtxtSwitches = unsignedAt(text, v, lineEnd, 'status: voluntary_ctxt_switches');
    } else if (equalsAt(text, key, colon, 'nonvoluntary_ctxt_switches')) {
      out.nonvoluntaryCtxtSwitches = unsignedAt(text, v, lineEnd, 'status: nonvoluntary_ctxt_switches');
    } else if (equalsAt(text, key, colon, 'Kthread')) {
      out.kthread = unsignedAt(text, v, lineEnd, 'status: Kthread') === 1;
    }
  });
  if (known === 0) throw new ParseError('status: neither Name: nor Uid: line');
  return out;
}

/** The second column of the Uid: line at text[v, lineEnd) (real, effective, saved, fs); the real uid when alone. */
function effectiveUid(text: string, v: number, lineEnd: number): number {
  const real = tokenEnd(text, v, lineEnd);
  const eff = skipBlanks(text, real, lineEnd);
  const effEnd = tokenEnd(text, eff, lineEnd);
  return effEnd > eff ? unsignedAt(text, eff, effEnd, 'status: Uid') : unsignedAt(text, v, real, 'status: Uid');
}
