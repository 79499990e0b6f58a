import type { FilesystemSample, MountSample } from '../../collectors/filesystem.js';
import { counterDelta } from './counter.js';
import type { DeriveContext, Deriver } from './types.js';

export interface FilesystemDeriverOptions {
  /** How far back the avail trend looks (s). */
  trendWindowSeconds?: number;
  /** The trend needs at least this much history before it predicts anything (s). */
  minTrendSeconds?: number;
}

export interface AvailPoint {
  t: number;
  avail: number;
}

/**
 * Capacity gauges per mount plus time-to-full, which needs the recent history of avail: the state
 * lives in this closure, so one deriver per pipeline.
 */
export function createFilesystemDeriver(opts: FilesystemDeriverOptions = {}): Deriver<FilesystemSample> {
  const windowSeconds = opts.trendWindowSeconds ?? 600;
  const minSpan = opts.minTrendSeconds ?? 120;
  const history = new Map<string, AvailPoint[]>();
  // Seconds on the pipeline's monotonic clock, rebuilt from the intervals it hands us.
  let clock = 0;

  return (prev, cur, ctx) => {
    if (ctx.dtSeconds > 0) clock += ctx.dtSeconds;
    for (const mp of history.keys()) if (!cur.mounts.has(mp)) history.delete(mp);
    for (const [mp, m] of cur.mounts) {
      setGauges(mp, m, ctx);
      const before = prev?.mounts.get(mp);
      if (before?.errorsCount !== undefined && m.errorsCount !== undefined) {
        ctx.out.set('fs.errors', mp, counterDelta(before.errorsCount, m.errorsCount));
      }
      if (m.stats === undefined) continue;
      const points = history.get(mp) ?? [];
      points.push({ t: clock, avail: m.stats.bavail * m.stats.bsize });
      while (points.length > 0 && clock - points[0].t > windowSeconds) points.shift();
      history.set(mp, points);
      ctx.out.set('fs.hours_to_full', mp, hoursToFull(points, minSpan));
    }
  };
}

function setGauges(mp: string, m: MountSample, ctx: DeriveContext): void {
  const out = ctx.out;
  out.set('fs.readonly', mp, m.readonly ? 1 : 0);
  out.set('fs.stuck', mp, m.stuck ? 1 : 0);
  const s = m.stats;
  if (s === undefined) return;
  const used = s.blocks - s.bfree;
  const usable = used + s.bavail;
  if (usable > 0) out.set('fs.utilization', mp, used / usable);
  if (s.files > 0) out.set('fs.inode_utilization', mp, (s.files - s.ffree) / s.files);
  out.set('fs.size_bytes', mp, s.blocks * s.bsize);
  out.set('fs.avail_bytes', mp, s.bavail * s.bsize);
  out.set('fs.used_bytes', mp, used * s.bsize);
}

/** Least-squares slope of avail over time; a time to full only while avail falls. */
export function hoursToFull(points: readonly AvailPoint[], minSpanSeconds: number): number | undefined {
  if (points.length < 2 || points[points.length - 1].t - points[0].t < minSpanSeconds) return undefined;
  let st = 0;
  let sa = 0;
  for (const p of points) {
    st += p.t;
    sa += p.avail;
  }
  const mt = st / points.length;
  const ma = sa / points.length;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.avail - ma);
    den += (p.t - mt) ** 2;
  }
  const slope = num / den;
  if (!(slope < 0)) return undefined;
  return points[points.length - 1].avail / -slope / 3600;
}
