import { afterEach, describe, expect, it } from 'vitest';
import { connectFeed, FeedRefusedError, feedUrl } from '../../src/feed/client.js';
import type { Frame } from '../../src/model/frame.js';
import type { ConnectionState } from '../../src/model/source.js';
import { FrameBus } from '../../src/pipeline/bus.js';
import { frame, type Harness, startFeed, TOKEN } from './helpers.js';

const fast = { backoff: { initialMs: 20, maxMs: 100 } };
const harnesses: Harness[] = [];
const controllers: AbortController[] = [];

async function start(...args: Parameters<typeof startFeed>): Promise<Harness> {
  const h = await startFeed(...args);
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  for (const h of harnesses.splice(0)) await h.close();
});

/** Pulls frames from a connected source in the background, recording states with their details. */
function watch(url: string, opts: Parameters<typeof connectFeed>[1] = {}) {
  const controller = new AbortController();
  controllers.push(controller);
  const source = connectFeed(url, { ...fast, ...opts, signal: controller.signal });
  const frames: Frame[] = [];
  const states: { state: ConnectionState; detail?: string }[] = [];
  source.onState?.((state, detail) => states.push({ state, detail }));
  const done = (async () => {
    for await (const f of source.frames) frames.push(f);
  })();
  async function until(predicate: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 250 && !predicate(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!predicate()) throw new Error(`timed out waiting for ${what}; seqs ${frames.map((f) => f.seq)}`);
  }
  return { source, frames, states, done, until, seqs: () => frames.map((f) => f.seq) };
}

describe('connectFeed', () => {
  it('yields the backfill then live frames, and reports connecting → live', async () => {
    const h = await start();
    h.bus.publish(frame(1));
    const view = watch(h.url);
    await view.until(() => view.frames.length === 1, 'backfill');
    h.bus.publish(frame(2));
    await view.until(() => view.frames.length === 2, 'live frame');
    expect(view.source).toMatchObject({ kind: 'remote', label: h.url });
    expect(view.states.map((s) => s.state)).toEqual(['connecting', 'live']);
    expect(view.frames[1]).toMatchObject({ seq: 2, host: { hostname: 'test-host' }, processes: [{ pid: 100 }] });
    expect(view.frames[1]).not.toHaveProperty('type');
  });

  it('reconnects after a server restart and resumes without duplicates or losses', async () => {
    const bus = new FrameBus(120);
    const first = await start({}, bus);
    for (let seq = 1; seq <= 3; seq++) bus.publish(frame(seq));
    const view = watch(first.url);
    await view.until(() => view.frames.length === 3, 'first frames');
    await first.close();
    harnesses.splice(harnesses.indexOf(first), 1);
    await view.until(() => view.states.some((s) => s.state === 'reconnecting'), 'reconnecting');
    for (let seq = 4; seq <= 6; seq++) bus.publish(frame(seq));
    await start({}, bus, first.port);
    await view.until(() => view.frames.length === 6, 'resumed frames');
    bus.publish(frame(7));
    await view.until(() => view.frames.length === 7, 'live frame after resume');
    expect(view.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(view.states.at(-1)?.state).toBe('live');
  });

  it('surfaces a gap when the frames missed while away have left the ring', async () => {
    const bus = new FrameBus(3);
    const first = await start({}, bus);
    for (let seq = 1; seq <= 3; seq++) bus.publish(frame(seq));
    const view = watch(first.url);
    await view.until(() => view.frames.length === 3, 'first frames');
    await first.close();
    harnesses.splice(harnesses.indexOf(first), 1);
    for (let seq = 4; seq <= 10; seq++) bus.publish(frame(seq));
    await start({}, bus, first.port);
    await view.until(() => view.frames.length === 6, 'frames after the gap');
    expect(view.seqs()).toEqual([1, 2, 3, 8, 9, 10]);
    expect(view.states.map((s) => s.detail)).toContain('gap: frames 4–7 were missed (no longer held by the agent)');
  });

  it('starts over when the agent restarted (a new sequence), saying so', async () => {
    const first = await start();
    for (let seq = 1; seq <= 5; seq++) first.bus.publish(frame(seq));
    const view = watch(first.url);
    await view.until(() => view.frames.length === 5, 'first frames');
    await first.close();
    harnesses.splice(harnesses.indexOf(first), 1);
    const restarted = await start({}, new FrameBus(10), first.port);
    restarted.bus.publish(frame(1));
    await view.until(() => view.frames.length === 6, 'frames of the new agent');
    expect(view.seqs()).toEqual([1, 2, 3, 4, 5, 1]);
    expect(view.states.map((s) => s.detail)).toContain('the agent restarted: its sequence numbers start again');
  });

  it('sends the token as a bearer header; a refusal ends the iteration with the HTTP reason', async () => {
    const h = await start({ auth: { token: TOKEN, requireToken: true, allowedOrigins: [] } });
    h.bus.publish(frame(1));
    const good = watch(h.url, { token: TOKEN });
    await good.until(() => good.frames.length === 1, 'frame with the token');
    const bad = watch(h.url, { token: 'wrong' });
    await expect(bad.done).rejects.toThrow(FeedRefusedError);
    await expect(bad.done).rejects.toThrow(/401 Unauthorized: a valid token is required/);
    expect(bad.states.at(-1)?.state).toBe('closed');
  });

  it('fills the sections it did not subscribe to with empty values', async () => {
    const h = await start();
    h.bus.publish(frame(1, 20));
    const view = watch(h.url, { sections: ['findings', 'events'] });
    await view.until(() => view.frames.length === 1, 'frame');
    expect(view.frames[0]).toMatchObject({ seq: 1, findings: [], events: [], processes: [], metrics: {} });
    expect(view.frames[0].host.hostname).toBe('test-host');
  });

  it('closes the connection when iteration ends', async () => {
    const h = await start();
    h.bus.publish(frame(1));
    const source = connectFeed(h.url, fast);
    const states: ConnectionState[] = [];
    source.onState?.((s) => states.push(s));
    for await (const f of source.frames) {
      expect(f.seq).toBe(1);
      break;
    }
    for (let i = 0; i < 100 && h.feed.clientCount() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(h.feed.clientCount()).toBe(0);
    expect(states.at(-1)).toBe('closed');
  });
});

describe('feedUrl', () => {
  it('adds /feed to a bare agent address and maps http(s) to ws(s)', () => {
    expect(feedUrl('ws://10.0.0.5:9733').toString()).toBe('ws://10.0.0.5:9733/feed');
    expect(feedUrl('https://agent.example.org/feed').toString()).toBe('wss://agent.example.org/feed');
  });

  it('names the bad URL', () => {
    expect(() => feedUrl('agent:9733')).toThrow(/expected ws:\/\/ or wss:\/\//);
    expect(() => feedUrl('not a url')).toThrow(/not a feed URL: "not a url"/);
  });
});
