import { describe, expect, it } from 'vitest';
import { createRecorder } from '../../src/outputs/recorder/recorder.js';
import { replaySource } from '../../src/replay/source.js';
import { collect, makeFrame, T0, tempDir } from '../recorder/helpers.js';

/** 60 frames a second apart in 3 segments of 4 gzip members each, so seeks cross both. */
async function recording(): Promise<string> {
  const dir = tempDir();
  const recorder = createRecorder({ dir, segmentMs: 20_000, memberFrames: 5 });
  for (let i = 1; i <= 60; i++) recorder.write(makeFrame(i));
  await recorder.close();
  return dir;
}

const tsOf = (seq: number) => T0 + (seq - 1) * 1000;

/** 'waiting' when `next` has not settled within `ms`. */
function settledWithin<T>(next: Promise<T>, ms: number): Promise<T | 'waiting'> {
  return Promise.race([next, new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), ms))]);
}

describe('replaySource', () => {
  it('is a replay view source labelled with the path, yielding every frame in order at speed 0', async () => {
    const dir = await recording();
    const source = await replaySource(dir, { speed: 0 });
    expect(source).toMatchObject({ kind: 'replay', label: dir });
    expect((await collect(source.frames)).map((f) => f.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(source.warnings).toEqual([]);
  });

  it('starts at --from and ends after --to', async () => {
    const source = await replaySource(await recording(), { speed: 0, from: tsOf(33), to: tsOf(37) + 500 });
    expect((await collect(source.frames)).map((f) => f.seq)).toEqual([33, 34, 35, 36, 37]);
  });

  it('seeks back and forward across members and segments, and to a time', async () => {
    const source = await replaySource(await recording(), { speed: 0 });
    const it = source.frames[Symbol.asyncIterator]();
    for (let i = 0; i < 45; i++) await it.next();
    expect(source.control.position()).toBe(tsOf(45));
    source.control.seekBy(-30_000);
    expect((await it.next()).value?.seq).toBe(15);
    source.control.seekBy(+20_500); // from seq 15 (14 s) to 34.5 s: the next frame is seq 36 (35 s)
    expect((await it.next()).value?.seq).toBe(36);
    source.control.seekTo(tsOf(3));
    expect((await it.next()).value?.seq).toBe(3);
    expect((await it.next()).value?.seq).toBe(4);
    source.control.seekTo(tsOf(500)); // past the end: the last frame
    expect((await it.next()).value?.seq).toBe(60);
    expect((await it.next()).done).toBe(true);
  });

  it('keeps seeks within --from/--to', async () => {
    const source = await replaySource(await recording(), { speed: 0, from: tsOf(10), to: tsOf(20) });
    const it = source.frames[Symbol.asyncIterator]();
    await it.next();
    source.control.seekTo(tsOf(1));
    expect((await it.next()).value?.seq).toBe(10);
  });

  it('goes to the last frame within --to on a seek to the end, also across a member boundary', async () => {
    // Frames are a second apart: --to half a second after seq 25, which ends a gzip member.
    const source = await replaySource(await recording(), { speed: 0, from: tsOf(12), to: tsOf(25) + 500 });
    const it = source.frames[Symbol.asyncIterator]();
    await it.next();
    source.control.seekTo(Number.MAX_SAFE_INTEGER); // the TUI's end key
    expect((await it.next()).value?.seq).toBe(25);
    source.control.seekTo(Number.MIN_SAFE_INTEGER); // home
    expect((await it.next()).value?.seq).toBe(12);
  });

  it('pauses and resumes', async () => {
    const source = await replaySource(await recording(), { speed: 0 });
    const it = source.frames[Symbol.asyncIterator]();
    await it.next();
    source.control.pause();
    expect(source.control.paused()).toBe(true);
    const next = it.next();
    expect(await settledWithin(next, 100)).toBe('waiting');
    source.control.resume();
    expect((await next).value?.seq).toBe(2);
  });

  it('holds at the end for a view, until a seek or close', async () => {
    const source = await replaySource(await recording(), { speed: 0, from: tsOf(58), atEnd: 'hold' });
    const it = source.frames[Symbol.asyncIterator]();
    expect([(await it.next()).value?.seq, (await it.next()).value?.seq, (await it.next()).value?.seq]).toEqual([
      58, 59, 60,
    ]);
    let ends = 0;
    source.control.onEnd(() => ends++);
    expect(source.control.atEnd()).toBe(false);
    const held = it.next();
    expect(await settledWithin(held, 100)).toBe('waiting');
    expect(source.control.atEnd()).toBe(true);
    expect(ends).toBe(1);
    source.control.seekTo(tsOf(59));
    expect((await held).value?.seq).toBe(59);
    expect(source.control.atEnd()).toBe(false);
    const last = it.next();
    await last;
    const ended = it.next();
    source.control.close();
    expect((await ended).done).toBe(true);
  });

  it('paces frames by their recorded interval divided by the speed', async () => {
    const source = await replaySource(await recording(), { speed: 20 }); // 1 s apart → 50 ms
    const it = source.frames[Symbol.asyncIterator]();
    await it.next();
    const second = it.next();
    expect(await settledWithin(second, 10)).toBe('waiting');
    expect((await second).value?.seq).toBe(2);
  });

  it('rejects a negative or non-numeric speed', async () => {
    const dir = await recording();
    await expect(replaySource(dir, { speed: -1 })).rejects.toThrow(/speed must be a number ≥ 0, got -1/);
  });
});
