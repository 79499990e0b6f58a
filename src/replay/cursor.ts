import type { Frame } from '../model/frame.js';
import { finishSegment, newParseState, type ReadLimits, type ReplayWarning, type SegmentParseState } from './lines.js';
import { listSegments, type RecordingSegment, regionFrames, tailFrames } from './reader.js';
import { fileRegions, plainRegions, type Region } from './regions.js';

interface RegionRef extends Region {
  /** A gzip member of the segment, a run of lines of a plain segment, or the segment's tail file. */
  kind: 'member' | 'plain' | 'tail';
  /** ts of the region's first frame once known; null when it holds none. */
  firstTs?: number | null;
  /** seq of the region's last frame once loaded; null when it holds none. */
  lastSeq?: number | null;
  /** What the region counted against its segment's limits when it was loaded. */
  decodedBytes?: number;
  frames?: number;
}

/**
 * What a view holds of one region. The recorder writes 300 frames a member; a gzip file made
 * otherwise (a gzip'd jq cut) can be one member of any size, which a view holds only the start of.
 */
const HELD_FRAMES = 5000;
const HELD_BYTES = 64 * 1024 * 1024;

interface SegmentIndex {
  segment: RecordingSegment;
  regions?: RegionRef[];
  state: SegmentParseState;
}

/**
 * Random access to a recording for seeking: segments are located by the time in their names,
 * regions (gzip members) by the time of their first frame, learnt lazily and cached, and only the
 * region being played is held decoded. A plain NDJSON file is cut into regions of whole lines; a segment's tail is
 * its last.
 */
export class RecordingCursor {
  private seg = 0;
  private region = -1;
  private frames: Frame[] = [];
  private index = 0;

  private constructor(
    private readonly segments: SegmentIndex[],
    private readonly warn: (w: ReplayWarning) => void,
  ) {}

  static async open(path: string, warn: (w: ReplayWarning) => void, limits?: ReadLimits): Promise<RecordingCursor> {
    const segments = (await listSegments(path)).map((segment) => ({
      segment,
      state: newParseState(segment.path, limits),
    }));
    return new RecordingCursor(segments, warn);
  }

  /** The next frame in recording order, or undefined at the end. */
  async next(): Promise<Frame | undefined> {
    while (this.index >= this.frames.length) {
      if (!(await this.advance())) return undefined;
    }
    return this.frames[this.index++];
  }

  /** Positions so that next() returns the first frame at or after `ts`, or the last frame when there is none. */
  async seek(ts: number): Promise<void> {
    let first = 0;
    for (let s = 0; s < this.segments.length; s++) {
      const start = this.segments[s].segment.startTs;
      if (start !== undefined && start <= ts) first = s;
    }
    for (let s = first; s < this.segments.length; s++) {
      const regions = await this.regionsOf(s);
      let startRegion = 0;
      for (let r = 0; r < regions.length; r++) {
        const firstTs = await this.firstTs(s, r);
        if (firstTs === null) continue;
        if (firstTs > ts) break;
        startRegion = r;
      }
      for (let r = startRegion; r < regions.length; r++) {
        const frames = await this.load(s, r);
        const i = frames.findIndex((f) => f.ts >= ts);
        if (i >= 0) return this.place(s, r, frames, i);
      }
    }
    await this.seekLast();
  }

  /**
   * Positions so that next() returns the last frame at or before `ts`, or the first frame when
   * there is none: where a seek to the end of a `--to` window must land.
   */
  async seekAtOrBefore(ts: number): Promise<void> {
    await this.seek(ts);
    while (this.index >= this.frames.length) {
      if (!(await this.advance())) break;
    }
    const landing = this.frames[this.index];
    if (landing !== undefined && landing.ts <= ts) return;
    if (this.index > 0) {
      this.index--;
      return;
    }
    await this.placeAtLastBefore(this.seg, this.region);
  }

  private async seekLast(): Promise<void> {
    if (!(await this.placeAtLastBefore(this.segments.length, 0))) this.place(this.segments.length, 0, [], 0);
  }

  /** Places at the last frame of the last non-empty region before region `region` of segment `seg`. */
  private async placeAtLastBefore(seg: number, region: number): Promise<boolean> {
    for (let s = Math.min(seg, this.segments.length - 1); s >= 0; s--) {
      const regions = await this.regionsOf(s);
      for (let r = (s === seg ? region : regions.length) - 1; r >= 0; r--) {
        const frames = await this.load(s, r);
        if (frames.length > 0) {
          this.place(s, r, frames, frames.length - 1);
          return true;
        }
      }
    }
    return false;
  }

  private place(s: number, r: number, frames: Frame[], i: number): void {
    this.seg = s;
    this.region = r;
    this.frames = frames;
    this.index = i;
  }

  private async advance(): Promise<boolean> {
    while (this.seg < this.segments.length) {
      const regions = await this.regionsOf(this.seg);
      if (this.region + 1 < regions.length) {
        this.region++;
        this.frames = await this.load(this.seg, this.region);
        this.index = 0;
        return true;
      }
      finishSegment(this.segments[this.seg].state, this.warn);
      this.seg++;
      this.region = -1;
    }
    return false;
  }

  private async regionsOf(s: number): Promise<RegionRef[]> {
    const entry = this.segments[s];
    if (entry.regions !== undefined) return entry.regions;
    const regions: RegionRef[] = [];
    const kind = entry.segment.gzip ? 'member' : 'plain';
    try {
      const found = entry.segment.gzip ? fileRegions(entry.segment.path) : plainRegions(entry.segment.path);
      for await (const region of found) regions.push({ kind, ...region });
    } catch (err) {
      this.warn({ path: entry.segment.path, message: `cannot read: ${(err as Error).message}` });
    }
    if (entry.segment.tail !== undefined) regions.push({ kind: 'tail', offset: 0, length: Number.POSITIVE_INFINITY });
    entry.regions = regions;
    return regions;
  }

  private async load(s: number, r: number): Promise<Frame[]> {
    const entry = this.segments[s];
    const regions = entry.regions!;
    const ref = regions[r];
    const { state } = entry;
    // A region read again after a seek counts once against the segment's limits.
    state.decodedBytes = 0;
    state.frames = 0;
    for (const earlier of regions.slice(0, r)) {
      state.decodedBytes += earlier.decodedBytes ?? 0;
      state.frames += earlier.frames ?? 0;
    }
    state.oversized = false;
    const startBytes = state.decodedBytes;
    const startFrames = state.frames;
    const frames: Frame[] = [];
    try {
      const found =
        ref.kind === 'tail'
          ? tailFrames(entry.segment.tail!, state, await this.lastSeqBefore(s, r), this.warn)
          : regionFrames({ path: entry.segment.path, region: ref, gzip: ref.kind === 'member' }, state, this.warn);
      for await (const frame of found) {
        frames.push(frame);
        if (frames.length >= HELD_FRAMES || state.decodedBytes - startBytes > HELD_BYTES) {
          this.warn({
            path: entry.segment.path,
            message: `${ref.kind === 'member' ? 'the gzip member' : 'the lines'} at byte ${ref.offset} hold more than ${HELD_FRAMES} frames or ${HELD_BYTES / 1024 / 1024} MiB: the view holds its first ${frames.length} frame(s); replay --format ndjson and check --replay read it whole`,
          });
          break;
        }
      }
    } catch (err) {
      this.warn({ path: entry.segment.path, message: `cannot read: ${(err as Error).message}` });
    }
    ref.firstTs = frames[0]?.ts ?? null;
    ref.lastSeq = frames.at(-1)?.seq ?? null;
    ref.decodedBytes = state.decodedBytes - startBytes;
    ref.frames = state.frames - startFrames;
    return frames;
  }

  /** The seq of the last frame in the segment's regions before `r`: the tail repeats none up to it. */
  private async lastSeqBefore(s: number, r: number): Promise<number> {
    const regions = this.segments[s].regions!;
    for (let i = r - 1; i >= 0; i--) {
      if (regions[i].lastSeq === undefined) await this.load(s, i);
      const seq = regions[i].lastSeq;
      if (seq !== null && seq !== undefined) return seq;
    }
    return Number.NEGATIVE_INFINITY;
  }

  /** The first frame's time of a region, decoding only up to that frame. */
  private async firstTs(s: number, r: number): Promise<number | null> {
    const entry = this.segments[s];
    const ref = entry.regions![r];
    if (ref.firstTs !== undefined) return ref.firstTs;
    if (ref.kind !== 'member') return (await this.load(s, r))[0]?.ts ?? null;
    let firstTs: number | null = null;
    try {
      // load() reports what is wrong with this region when it is played.
      const quiet = newParseState(entry.segment.path, entry.state.limits);
      for await (const frame of regionFrames({ path: entry.segment.path, region: ref, gzip: true }, quiet, () => {})) {
        firstTs = frame.ts;
        break;
      }
    } catch {
      // as above
    }
    ref.firstTs = firstTs;
    return firstTs;
  }
}
