import type { Row } from '../../../collectors/process/candidates.js';
import { newRunDelayTrack } from '../../../collectors/process/run-delay.js';
import type { ProcessSample } from '../../../collectors/process/sample.js';
import { pidFiles, type Tracked } from '../../../collectors/process/tracking.js';

export interface RowFacts {
  state?: string;
  dCpu?: number;
  rssPages?: number;
  numThreads?: number;
  dMaj?: number;
  dRun?: number;
  ioActivity?: number;
  fds?: number;
  fdLimit?: number;
  ranSinceDetails?: boolean;
}

/** A listed process as the candidate choice sees it, with only the facts a test names set. */
export function row(pid: number, facts: RowFacts = {}): Row {
  const runDelay = newRunDelayTrack(undefined);
  runDelay.increment = facts.dRun ?? 0;
  const tracked: Tracked = {
    key: `${pid}:1`,
    files: pidFiles(String(pid)),
    samples: undefined,
    filled: 0,
    row: undefined,
    starttime: 1,
    firstTick: 1,
    seenTick: 1,
    cpuTicks: 0,
    majflt: 0,
    dCpu: facts.dCpu ?? 0,
    dMaj: facts.dMaj ?? 0,
    runDelay,
    ranSinceDetails: facts.ranSinceDetails ?? true,
    comm: `p${pid}`,
    ioActivity: facts.ioActivity ?? 0,
    statusTick: Number.NEGATIVE_INFINITY,
    statusGap: 1,
    fds: facts.fds,
    fdLimit: facts.fdLimit,
    fdTick: Number.NEGATIVE_INFINITY,
    limitsTick: Number.NEGATIVE_INFINITY,
  };
  const sample = {
    pid,
    state: facts.state ?? 'S',
    rssPages: facts.rssPages ?? 0,
    numThreads: facts.numThreads ?? 0,
  } as ProcessSample;
  return { sample, tracked, dir: String(pid), candidate: false };
}
