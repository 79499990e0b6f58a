import { readFile } from 'node:fs/promises';
import type { Frame } from '../model/frame.js';
import { finishSegment, newParseState, parseLines, type ReplayWarning, type SegmentParseState } from './lines.js';
import { listSegments, type RecordingSegment, regionFrames, tailFrames } from './reader.js';
import { decodeRegion, fileRegions, readRegion } from './regions.js';

interface RegionRef {
  /** A gzip member of the segment, the whole of a plain segment, or the segment's tail file. */
  kind: 'member' | 'plain' | 'tail';
  offset: number;
  length: number;
  /** ts of the region's first frame once known; null when it holds none. */
  firstTs?: number | null;
  /** seq of the region's last frame once loaded; null when it holds none. */
  lastSeq?: number | null;
}

interface SegmentIndex {
  segment: RecordingSegment;
  regions?: RegionRef[];
  state: SegmentParseState;
}

/**
 * Random access to a recording for seeking: segments are located by the time in their names,
 * regions (gzip members) by the time of their first frame, learnt lazily and cached, and only the
 * region being played is held decoded. A plain NDJSON file is a single region; a segment's tail is
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

  static async open(path: string, warn: (w: ReplayWarning) => void): Promise<RecordingCursor> {
    const segments = (await listSegments(path)).map((segment) => ({ segment, state: newParseState(segment.path) }));
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
    try {
      if (entry.segment.gzip) {
        for await (const region of fileRegions(entry.segment.path)) {
          regions.push({ kind: 'member', offset: region.offset, length: region.bytes.length });
        }
      } else {
        regions.push({ kind: 'plain', offset: 0, length: -1 });
      }
    } catch (err) {
      this.warn({ path: entry.segment.path, message: `cannot read: ${(err as Error).message}` });
    }
    if (entry.segment.tail !== undefined) regions.push({ kind: 'tail', offset: 0, length: -1 });
    entry.regions = regions;
    return regions;
  }

  private async load(s: number, r: number): Promise<Frame[]> {
    const entry = this.segments[s];
    const ref = entry.regions![r];
    let frames: Frame[] = [];
    try {
      if (ref.kind === 'tail') {
        const lastSeq = await this.lastSeqBefore(s, r);
        frames = await tailFrames(entry.segment.tail!, entry.state, lastSeq, this.warn);
      } else if (ref.kind === 'plain') {
        frames = parseLines(await readFile(entry.segment.path, 'utf8'), entry.state, this.warn);
      } else {
        const bytes = await readRegion(entry.segment.path, ref.offset, ref.length);
        frames = regionFrames({ offset: ref.offset, bytes }, entry.state, this.warn);
      }
    } catch (err) {
      this.warn({ path: entry.segment.path, message: `cannot read: ${(err as Error).message}` });
    }
    ref.firstTs = frames[0]?.ts ?? null;
    ref.lastSeq = frames.at(-1)?.seq ?? null;
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

  /** The first frame's time of a region, parsing only up to that frame. */
  private async firstTs(s: number, r: number): Promise<number | null> {
    const entry = this.segments[s];
    const ref = entry.regions![r];
    if (ref.firstTs !== undefined) return ref.firstTs;
    if (ref.kind !== 'member') return (await this.load(s, r))[0]?.ts ?? null;
    ref.firstTs = null;
    try {
      const { text } = decodeRegion(await readRegion(entry.segment.path, ref.offset, ref.length));
      const quiet = newParseState(entry.segment.path);
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        const [frame] = parseLines(text.slice(start, end + 1), quiet, () => {});
        start = end + 1;
        if (frame !== undefined) {
          ref.firstTs = frame.ts;
          break;
        }
      }
    } catch {
      // load() reports what is wrong with this region when it is played
    }
    return ref.firstTs;
  }
}
