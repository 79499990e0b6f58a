import { describe, expect, it } from 'vitest';
import { serializeFrame } from '../../src/model/frame.js';
import { FeedCursor } from '../../web/resume.js';
import { frame } from '../feed/helpers.js';

const ORIGIN = { protocol: 'http:', host: '127.0.0.1:9733' };
const hello = (stream: string) =>
  JSON.stringify({ type: 'hello', protocol: 1, schema: 2, stream, host: 'h', intervalMs: 1000, backfill: 0 });
const wireFrame = (seq: number, processes = 3) => `{"type":"frame",${serializeFrame(frame(seq, processes)).slice(1)}`;

describe('the page’s place in the feed', () => {
  it('asks for the backfill first, then to resume after the last frame it took, with its stream', () => {
    const cursor = new FeedCursor();
    expect(cursor.feedUrl(ORIGIN)).toBe('ws://127.0.0.1:9733/feed?backfill=300');
    expect(cursor.feedUrl({ protocol: 'https:', host: 'web01:9733' })).toMatch(/^wss:\/\/web01:9733\/feed/);
    cursor.receive(hello('s1'));
    cursor.receive(wireFrame(41));
    const url = new URL(cursor.feedUrl(ORIGIN));
    expect(url.searchParams.get('since')).toBe('41');
    expect(url.searchParams.get('stream')).toBe('s1');
    expect(url.searchParams.has('token')).toBe(false);
  });

  it('turns the tables of a frame back into lists and drops frames it already took', () => {
    const cursor = new FeedCursor();
    cursor.receive(hello('s1'));
    const first = cursor.receive(wireFrame(7, 3));
    expect(first.kind).toBe('frame');
    if (first.kind !== 'frame') return;
    expect(first.frame.processes.map((p) => p.pid)).toEqual([100, 101, 102]);
    expect(first.frame).not.toHaveProperty('type');
    expect(cursor.receive(wireFrame(7)).kind).toBe('ignored');
    expect(cursor.receive(wireFrame(6)).kind).toBe('ignored');
  });

  it('notices an agent restart: the next frame is marked, even with a seq lower than before', () => {
    const cursor = new FeedCursor();
    cursor.receive(hello('s1'));
    cursor.receive(wireFrame(500));
    expect(cursor.receive(hello('s2'))).toMatchObject({ kind: 'hello', restarted: true });
    expect(cursor.receive(wireFrame(1))).toMatchObject({ kind: 'frame', restarted: true });
    expect(cursor.receive(wireFrame(2))).toMatchObject({ kind: 'frame', restarted: false });
    expect(cursor.receive(hello('s2'))).toMatchObject({ restarted: false });
  });

  it('reports gaps, agent errors and malformed messages as notices, never throwing', () => {
    const cursor = new FeedCursor();
    expect(cursor.receive('{"type":"gap","from":3,"to":9}')).toEqual({
      kind: 'notice',
      text: 'gap: frames 3–9 were missed (no longer held by the agent)',
    });
    expect(cursor.receive('not json')).toMatchObject({ kind: 'notice' });
    expect(cursor.receive('{"type":"frame","seq":1,"ts":1,"use":{"cols":["a"],"rows":[[1,2]]}}')).toMatchObject({
      kind: 'notice',
      text: expect.stringContaining('use: row 0 has 2 values for 1 columns'),
    });
    expect(cursor.receive('{"type":"frame","seq":2,"ts":1,"use":[]}')).toMatchObject({
      kind: 'notice',
      text: expect.stringContaining('findings is not a list'),
    });
    expect(cursor.receive('{"type":"pong","ts":1}')).toEqual({ kind: 'ignored' });
  });

  it('keeps prototype keys out of a frame from a hostile peer', () => {
    const cursor = new FeedCursor();
    const text = wireFrame(1).replace('"metrics":{', '"metrics":{"__proto__":{"polluted":{"":1}},');
    expect(text).toContain('__proto__');
    const event = cursor.receive(text);
    expect(event.kind).toBe('frame');
    if (event.kind === 'frame') expect(Object.hasOwn(event.frame.metrics, '__proto__')).toBe(false);
  });
});
