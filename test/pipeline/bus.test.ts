import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ALL_SECTIONS, frameMessage, sectionSet } from '../../src/feed/frame-messages.js';
import { payloadOf } from '../../src/feed/framing.js';
import { FRAME_SECTIONS } from '../../src/feed/protocol.js';
import { type Frame, serializeFrame } from '../../src/model/frame.js';
import { DeflatedFrame, decodeKept, FrameBus } from '../../src/pipeline/bus.js';
import { frame } from '../feed/helpers.js';
import { cgroupFrame } from '../outputs/cgroup-frame.js';

function withoutCounters(f: Frame): Omit<Frame, 'counters'> {
  const { counters: _counters, ...rest } = f;
  return rest;
}

const message = (buf: Buffer) => JSON.parse(payloadOf(buf).toString()) as unknown;

describe('FrameBus', () => {
  it('hands listeners the frame, keeps the latest as objects and the ring as wire JSON', () => {
    const bus = new FrameBus(3);
    const heard: Frame[] = [];
    bus.subscribe((f) => heard.push(f));
    const frames = [1, 2, 3, 4, 5].map((seq) => frame(seq, 3, 1000 * seq));
    for (const f of frames) bus.publish(f);
    expect(heard).toEqual(frames);
    expect(bus.latest()).toBe(frames[4]);
    expect(bus.latest()?.counters).toBeDefined();
    expect(bus.recent().map((k) => [k.seq, k.ts])).toEqual([
      [3, 3000],
      [4, 4000],
      [5, 5000],
    ]);
    expect(bus.recent().map((k) => k.utf8.toString())).toEqual(frames.slice(2).map((f) => serializeFrame(f)));
  });

  it('holds each kept frame deflated, a fraction of its JSON, and gives back the same bytes', () => {
    const bus = new FrameBus(2);
    const busy = frame(1, 100);
    bus.publish(busy);
    const kept = bus.recent()[0];
    const json = Buffer.from(serializeFrame(busy));
    expect(kept).toBeInstanceOf(DeflatedFrame);
    expect((kept as DeflatedFrame).deflated.length).toBeLessThan(json.length / 3);
    expect(kept.utf8.equals(json)).toBe(true);
    // Raw deflate that any inflater reads, whatever window it was made with.
    expect(inflateRawSync((kept as DeflatedFrame).deflated).equals(json)).toBe(true);
  });

  it('keeps every frame readable as the ring turns, through frames that grow and shrink', () => {
    const capacity = 7;
    const bus = new FrameBus(capacity);
    // Sizes that wrap the arena at odd places, outgrow it (a burst of processes) and fall back.
    const sizes = [3, 5, 1, 40, 2, 2, 300, 1, 80, 4, ...Array.from({ length: 40 }, (_, i) => (i * 37) % 23), 500, 1];
    const published: Frame[] = [];
    for (const [i, processes] of sizes.entries()) {
      const f = frame(i + 1, processes, 1000 * (i + 1));
      bus.publish(f);
      published.push(f);
      const expected = published.slice(-capacity).map((p) => serializeFrame(p));
      expect(bus.recent().map((k) => k.utf8.toString())).toEqual(expected);
    }
  });

  it('gives a frame handed out to a backfill its own bytes once the ring has moved past it', () => {
    const bus = new FrameBus(3);
    const frames = [1, 2, 3].map((seq) => frame(seq, 10 * seq));
    for (const f of frames) bus.publish(f);
    // A slow client's backfill, still being written while the ring turns over twice.
    const owed = bus.since(0).frames;
    for (let seq = 4; seq <= 9; seq++) bus.publish(frame(seq, 10 * (10 - seq)));
    expect(owed.map((k) => k.utf8.toString())).toEqual(frames.map((f) => serializeFrame(f)));
  });

  it('holds the full ring in an arena allocated for it, not one grown without bound', () => {
    const bus = new FrameBus(20);
    const arenaBytes = () => (bus as unknown as { ring: { arena: Buffer } }).ring.arena.length;
    const keptBytes = () => bus.recent().reduce((n, k) => n + (k as DeflatedFrame).deflated.length, 0);
    for (let seq = 1; seq <= 20; seq++) bus.publish(frame(seq, 50));
    const arena = arenaBytes();
    for (let seq = 21; seq <= 200; seq++) bus.publish(frame(seq, 50));
    expect(arenaBytes()).toBe(arena);
    // A burst: a ring's worth of frames four times the size, then the host as before.
    for (let seq = 201; seq <= 220; seq++) bus.publish(frame(seq, 200));
    expect(arenaBytes()).toBeGreaterThan(2 * arena);
    for (let seq = 206; seq <= 400; seq++) bus.publish(frame(seq, 50));
    expect(arenaBytes()).toBeLessThanOrEqual(2.5 * keptBytes());
    expect(bus.recent()).toHaveLength(20);
  });

  it('resumes after a seq, with a gap when frames after it have left the ring', () => {
    const bus = new FrameBus(3);
    for (let seq = 1; seq <= 5; seq++) bus.publish(frame(seq));
    expect(bus.since(3)).toMatchObject({ gap: false, frames: [{ seq: 4 }, { seq: 5 }] });
    expect(bus.since(1)).toMatchObject({ gap: true, frames: [{ seq: 3 }, { seq: 4 }, { seq: 5 }] });
  });

  it('decodes a kept frame back to the frame it was, but for the in-process counters', () => {
    const bus = new FrameBus(2);
    for (const f of [frame(1, 5), cgroupFrame()]) {
      bus.publish(f);
      expect(decodeKept(bus.recent().at(-1)!)).toEqual(withoutCounters(f));
    }
  });

  it('gives a feed client the same messages from the ring as it got live, narrowed or not', () => {
    const bus = new FrameBus(2);
    // A shortened name ends in "…", which is beyond Latin-1: the kept bytes are UTF-8.
    const named = frame(2, 3);
    named.processes[1].name = 'kworker/0:1-eve…';
    named.processes[2].cmd = '/opt/café/bin/serve';
    for (const live of [cgroupFrame(), named]) {
      bus.publish(live);
      const kept = bus.recent().at(-1)!;
      expect(frameMessage(kept, ALL_SECTIONS).equals(frameMessage(live, ALL_SECTIONS))).toBe(true);
      for (const sections of [['metrics'], ['metrics', 'cgroups'], ['use', 'processes', 'findings'], FRAME_SECTIONS]) {
        const set = sectionSet(sections as typeof FRAME_SECTIONS);
        expect(message(frameMessage(kept, set))).toEqual(message(frameMessage(live, set)));
      }
    }
  });
});
