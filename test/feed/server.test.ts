import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { maskedTextFrame } from '../../bench/hostile-clients.js';
import { NOT_READING_MS } from '../../src/feed/client-table.js';
import { FRAME_SCHEMA } from '../../src/model/frame.js';
import { FrameBus } from '../../src/pipeline/bus.js';
import { frame, type Harness, handshakeStatus, Peer, rawHandshake, startFeed, TOKEN } from './helpers.js';

let harness: Harness | undefined;
const peers: Peer[] = [];

async function start(...args: Parameters<typeof startFeed>): Promise<Harness> {
  harness = await startFeed(...args);
  return harness;
}

async function open(url: string, headers: Record<string, string> = {}): Promise<Peer> {
  const peer = await Peer.open(url, headers);
  peers.push(peer);
  return peer;
}

afterEach(async () => {
  for (const p of peers.splice(0)) p.close();
  await harness?.close();
  harness = undefined;
});

describe('feed: connect, backfill, live', () => {
  it('sends hello, then the recent frames, then each new frame, without in-process fields', async () => {
    const h = await start();
    for (let seq = 1; seq <= 3; seq++) h.bus.publish(frame(seq));
    const peer = await open(h.url);
    await peer.untilFrames(3);
    expect(peer.messages[0]).toMatchObject({
      type: 'hello',
      protocol: 1,
      schema: FRAME_SCHEMA,
      host: 'test-host',
      agentVersion: '0.1.0',
      intervalMs: 1000,
      checklist: ['cpu.saturation.runqueue'],
      backfill: 3,
    });
    expect(peer.messages[0].sections).toContain('findings');
    h.bus.publish(frame(4));
    await peer.untilFrames(4);
    expect(peer.seqs()).toEqual([1, 2, 3, 4]);
    const last = peer.frames()[3];
    expect(last).toMatchObject({ type: 'frame', schema: FRAME_SCHEMA, seq: 4, host: { hostname: 'test-host' } });
    expect(last).not.toHaveProperty('counters');
    expect(last).not.toHaveProperty('skipped');
  });

  it('backfills only the last 60 s by default, and the window ?backfill= asks for', async () => {
    const h = await start();
    const now = Date.now();
    h.bus.publish(frame(1, 1, now - 120_000));
    h.bus.publish(frame(2, 1, now - 30_000));
    h.bus.publish(frame(3, 1, now - 1_000));
    const byDefault = await open(h.url);
    await byDefault.untilFrames(2);
    expect(byDefault.seqs()).toEqual([2, 3]);
    const shortWindow = await open(`${h.url}?backfill=10`);
    await shortWindow.untilFrames(1);
    const none = await open(`${h.url}?backfill=0`);
    await none.until((p) => p.messages.length >= 1, 'hello');
    h.bus.publish(frame(4));
    await none.untilFrames(1);
    await shortWindow.untilFrames(2);
    expect(shortWindow.seqs()).toEqual([3, 4]);
    expect(none.messages[0]).toMatchObject({ type: 'hello', backfill: 0 });
    expect(none.seqs()).toEqual([4]);
  });

  it('resumes after ?since= with exactly the frames missed', async () => {
    const h = await start();
    for (let seq = 1; seq <= 10; seq++) h.bus.publish(frame(seq));
    const first = await open(h.url);
    await first.until((p) => p.messages.length > 0, 'hello');
    const peer = await open(`${h.url}?since=6&stream=${first.messages[0].stream}`);
    await peer.untilFrames(4);
    h.bus.publish(frame(11));
    await peer.untilFrames(5);
    expect(peer.seqs()).toEqual([7, 8, 9, 10, 11]);
    expect(peer.messages.some((m) => m.type === 'gap')).toBe(false);
  });

  it('says which frames are gone when the ones asked for have left the ring', async () => {
    const h = await start({}, new FrameBus(5));
    for (let seq = 1; seq <= 10; seq++) h.bus.publish(frame(seq));
    const peer = await open(`${h.url}?since=2`);
    await peer.untilFrames(5);
    expect(peer.messages.map((m) => m.type)).toEqual(['hello', 'gap', 'frame', 'frame', 'frame', 'frame', 'frame']);
    expect(peer.messages[1]).toEqual({ type: 'gap', from: 3, to: 5 });
    expect(peer.seqs()).toEqual([6, 7, 8, 9, 10]);
  });

  it('ignores ?since= from another stream (an agent that restarted) and backfills as for a new client', async () => {
    const h = await start();
    for (let seq = 1; seq <= 3; seq++) h.bus.publish(frame(seq));
    const peer = await open(`${h.url}?since=2&stream=not-this-one`);
    await peer.untilFrames(3);
    expect(peer.seqs()).toEqual([1, 2, 3]);
  });

  it('treats a ?since= beyond the newest frame of this stream as unknown and backfills as for a new client', async () => {
    const h = await start();
    for (let seq = 1; seq <= 3; seq++) h.bus.publish(frame(seq));
    const first = await open(h.url);
    await first.untilFrames(3);
    const stream = first.messages[0].stream as string;
    const ahead = await open(`${h.url}?since=999999999999999&stream=${stream}`);
    await ahead.untilFrames(3);
    h.bus.publish(frame(4));
    await ahead.untilFrames(4);
    expect(ahead.messages[0]).toMatchObject({ type: 'hello', stream, backfill: 3 });
    expect(ahead.seqs()).toEqual([1, 2, 3, 4]);
    expect(ahead.messages.some((m) => m.type === 'gap')).toBe(false);
  });

  it('refuses a malformed query with 400 before upgrading', async () => {
    const h = await start();
    expect(await handshakeStatus(`${h.url}?since=abc`)).toBe(400);
    expect(await handshakeStatus(`${h.url}?sections=findings,bogus`)).toBe(400);
  });
});

describe('feed: security', () => {
  it('requires the token when told to: 401 without it or with a wrong one; header or ?token= open', async () => {
    const h = await start({ auth: { token: TOKEN, requireToken: true, allowedOrigins: [] } });
    expect(await handshakeStatus(h.url)).toBe(401);
    expect(await handshakeStatus(h.url, { authorization: 'Bearer wrong' })).toBe(401);
    expect(await handshakeStatus(`${h.url}?token=wrong`)).toBe(401);
    const byHeader = await open(h.url, { authorization: `Bearer ${TOKEN}` });
    const byQuery = await open(`${h.url}?token=${TOKEN}`);
    await byHeader.until((p) => p.messages[0]?.type === 'hello', 'hello');
    await byQuery.until((p) => p.messages[0]?.type === 'hello', 'hello');
    expect(h.feed.clientCount()).toBe(2);
  });

  it('lets nobody in when a token is required but none is configured', async () => {
    const h = await start({ auth: { requireToken: true, allowedOrigins: [] } });
    expect(await handshakeStatus(h.url, { authorization: 'Bearer ' })).toBe(401);
    expect(await handshakeStatus(`${h.url}?token=`)).toBe(401);
  });

  it('answers 403 to an Origin not in the allow-list, and accepts listed or absent Origins', async () => {
    const h = await start();
    expect(await handshakeStatus(h.url, { origin: 'https://evil.example.com' })).toBe(403);
    await open(h.url, { origin: 'https://dash.example.org' });
    await open(h.url);
    expect(h.feed.clientCount()).toBe(2);
  });

  it('closes the connection beyond the client cap with 1013', async () => {
    const h = await start({ limits: { maxClients: 2 } });
    await open(h.url);
    await open(h.url);
    const third = await open(h.url);
    expect(await third.untilClosed()).toMatchObject({ code: 1013 });
    expect(third.closed?.reason).toMatch(/too many clients/);
    expect(h.feed.clientCount()).toBe(2);
  });

  it.each([
    ['in total', { maxClients: 2 }],
    ['from one address', { maxPerAddress: 2 }],
  ])('at the cap %s, cuts the client that is not reading to let a new one in', async (_, caps) => {
    const h = await start({ limits: { ...caps, maxBufferedBytes: 64 * 1024, heartbeatMs: 60_000 } });
    const reading = await open(h.url);
    const stalled = await rawHandshake(h.port);
    stalled.pause();
    let stalledClosed = false;
    stalled.on('close', () => {
      stalledClosed = true;
    });
    // ~180 KB frames until the stalled client's frames are being skipped.
    const big = frame(0, 1000);
    for (let seq = 1; seq <= 400 && h.feed.droppedFrames() === 0; seq++) {
      h.bus.publish({ ...big, seq, ts: Date.now() });
      await reading.untilFrames(seq);
    }
    // A client is cut only once it has taken nothing for a second.
    await sleep(NOT_READING_MS + 100);
    const newcomer = await open(h.url);
    await newcomer.until((p) => p.messages.length > 0, 'hello');
    expect(newcomer.messages[0]).toMatchObject({ type: 'hello' });
    // Reading now, it finds what it was sent, then the end of the connection.
    stalled.resume();
    await vi.waitFor(() => expect(stalledClosed).toBe(true), { timeout: 5000 });
    expect(newcomer.closed).toBeUndefined();
    expect(reading.closed).toBeUndefined();
    expect(h.feed.clientCount()).toBe(2);
    // With every client reading, the cap refuses as before.
    const fourth = await open(h.url);
    expect(await fourth.untilClosed()).toMatchObject({ code: 1013 });
  });

  it('caps connections per remote address with 1013', async () => {
    const h = await start({ limits: { maxPerAddress: 1 } });
    await open(h.url);
    const second = await open(h.url);
    expect(await second.untilClosed()).toMatchObject({ code: 1013 });
    expect(second.closed?.reason).toMatch(/this address/);
  });
});

describe('feed: client messages', () => {
  it('closes with 1009 on a message over the size cap', async () => {
    const h = await start({ limits: { maxMessageBytes: 1024 } });
    const peer = await open(h.url);
    peer.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(2000) }));
    expect(await peer.untilClosed()).toMatchObject({ code: 1009 });
  });

  it('closes with 1009 on a binary message', async () => {
    const h = await start();
    const peer = await open(h.url);
    peer.ws.send(Buffer.from([1, 2, 3]));
    expect(await peer.untilClosed()).toMatchObject({ code: 1009 });
  });

  it('answers messages within the rate, and closes with 1008 a client sending more', async () => {
    const h = await start({ limits: { maxMessagesPerSecond: 10, maxMessageBurst: 5 } });
    const calm = await open(h.url);
    for (let i = 0; i < 5; i++) calm.ws.send(JSON.stringify({ type: 'ping', id: i }));
    await calm.until((p) => p.messages.filter((m) => m.type === 'pong').length === 5, '5 pongs');
    const flood = await open(h.url);
    for (let i = 0; i < 1000; i++) flood.ws.send(JSON.stringify({ type: 'ping', id: i }));
    const closed = await flood.untilClosed();
    expect(closed).toEqual({ code: 1008, reason: 'more than 10 messages per second' });
    expect(flood.messages.filter((m) => m.type === 'pong').length).toBeLessThanOrEqual(5);
    await sleep(200);
    calm.ws.send(JSON.stringify({ type: 'ping', id: 'still' }));
    await calm.until((p) => p.messages.some((m) => m.id === 'still'), 'the calm client still answered');
    expect(h.feed.clientCount()).toBe(1);
  });

  it('counts WebSocket pings against the same rate', async () => {
    const h = await start({ limits: { maxMessagesPerSecond: 10, maxMessageBurst: 5 } });
    const flood = await open(h.url);
    for (let i = 0; i < 200; i++) flood.ws.ping();
    expect(await flood.untilClosed()).toEqual({ code: 1008, reason: 'more than 10 messages per second' });
  });

  it('counts unrequested WebSocket pongs against the same rate, and accepts the answer to its own ping', async () => {
    const h = await start({ limits: { maxMessagesPerSecond: 10, maxMessageBurst: 5, heartbeatMs: 100 } });
    const calm = await open(h.url);
    const flood = await open(h.url);
    for (let i = 0; i < 200; i++) flood.ws.pong(Buffer.alloc(125));
    expect(await flood.untilClosed()).toEqual({ code: 1008, reason: 'more than 10 messages per second' });
    // The calm client answers every heartbeat ping (ws does so itself) and stays connected.
    await sleep(450);
    expect(calm.closed).toBeUndefined();
    expect(h.feed.clientCount()).toBe(1);
  });

  it('answers garbage and unknown messages with an error and keeps the connection', async () => {
    const h = await start();
    const peer = await open(h.url);
    peer.ws.send('{not json');
    peer.ws.send(JSON.stringify({ type: 'launch' }));
    peer.ws.send(JSON.stringify({ type: 'subscribe', sections: ['nope'] }));
    peer.ws.send(JSON.stringify({ type: 'ping', id: 7 }));
    await peer.until((p) => p.messages.some((m) => m.type === 'pong'), 'pong');
    const errors = peer.messages.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/^not JSON/) });
    expect(errors[2].message).toMatch(/sections\.0/);
    expect(peer.messages.find((m) => m.type === 'pong')).toMatchObject({ id: 7 });
    expect(peer.closed).toBeUndefined();
  });

  it('narrows frames to the subscribed sections (message or ?sections=), keeping seq and ts', async () => {
    const h = await start();
    const bySubscribe = await open(h.url);
    const byQuery = await open(`${h.url}?sections=findings,events`);
    bySubscribe.ws.send(JSON.stringify({ type: 'subscribe', sections: ['findings'] }));
    bySubscribe.ws.send(JSON.stringify({ type: 'ping' }));
    await bySubscribe.until((p) => p.messages.some((m) => m.type === 'pong'), 'pong');
    h.bus.publish(frame(1, 50));
    await bySubscribe.untilFrames(1);
    await byQuery.untilFrames(1);
    expect(Object.keys(bySubscribe.frames()[0]).sort()).toEqual([
      'findings',
      'intervalMs',
      'schema',
      'seq',
      'ts',
      'type',
    ]);
    expect(byQuery.messages[0].sections).toEqual(['findings', 'events']);
    expect(Object.keys(byQuery.frames()[0]).sort()).toEqual([
      'events',
      'findings',
      'intervalMs',
      'schema',
      'seq',
      'ts',
      'type',
    ]);
  });
});

describe('feed: slow and dead clients', () => {
  it('skips then drops a client that never reads, while a healthy client gets every frame', async () => {
    const h = await start({ limits: { maxBufferedBytes: 64 * 1024, maxBehindMs: 300, heartbeatMs: 60_000 } });
    const healthy = await open(h.url);
    const stalled = await rawHandshake(h.port);
    stalled.pause();
    await sleep(50);
    expect(h.feed.clientCount()).toBe(2);
    // ~180 KB frames: loopback socket buffers absorb several MB before bufferedAmount grows.
    const big = frame(0, 1000);
    let seq = 0;
    let firstSkipped: { seq: number; at: number } | undefined;
    for (let i = 0; i < 400 && h.feed.clientCount() === 2; i++) {
      h.bus.publish({ ...big, seq: ++seq, ts: Date.now() });
      if (firstSkipped === undefined && h.feed.droppedFrames() > 0) firstSkipped = { seq, at: Date.now() };
      await healthy.untilFrames(seq);
      await sleep(5);
    }
    const cut = { seq, at: Date.now() };
    expect(h.feed.clientCount()).toBe(1);
    // Every frame from the first it could not take to the one that found it behind for 300 ms was
    // skipped for it, and no other: the one that cut it was not counted.
    expect(h.feed.droppedFrames()).toBe(cut.seq - (firstSkipped?.seq ?? cut.seq));
    expect(cut.at - (firstSkipped?.at ?? 0)).toBeGreaterThanOrEqual(290);
    h.bus.publish({ ...big, seq: ++seq });
    await healthy.untilFrames(seq);
    expect(healthy.seqs()).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    expect(healthy.frames().some((m) => 'skipped' in m)).toBe(false);
    stalled.destroy();
  });

  it('tells a client that fell behind how many frames it missed, with its next frame', async () => {
    const h = await start({ limits: { maxBufferedBytes: 64 * 1024, maxBehindMs: 60_000, heartbeatMs: 60_000 } });
    const slow = await open(h.url);
    await slow.until((p) => p.messages.length > 0, 'hello');
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const big = frame(0, 1000);
    let seq = 0;
    for (let i = 0; i < 400 && h.feed.droppedFrames() < 3; i++) {
      h.bus.publish({ ...big, seq: ++seq });
      await sleep(2);
    }
    expect(h.feed.droppedFrames()).toBe(3);
    socket.resume();
    await slow.untilFrames(seq - 3);
    // Once drained, the next frame carries the count of those it never got.
    for (let i = 0; i < 100 && !slow.frames().some((m) => 'skipped' in m); i++) {
      h.bus.publish({ ...frame(++seq) });
      await sleep(20);
    }
    const marked = slow.frames().find((m) => 'skipped' in m);
    expect(marked?.skipped).toBe(3);
    const seqs = slow.seqs();
    expect(seqs.length + 3).toBe(seqs[seqs.length - 1]);
  });

  it('tells each of several clients that fell behind together what it missed, in its own sections', async () => {
    const h = await start({ limits: { maxBufferedBytes: 64 * 1024, maxBehindMs: 60_000, heartbeatMs: 60_000 } });
    const slow = [await open(h.url), await open(h.url), await open(`${h.url}?sections=processes`)];
    for (const p of slow) await p.until((q) => q.messages.length > 0, 'hello');
    const sockets = slow.map((p) => (p.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket);
    for (const s of sockets) s.pause();
    const big = frame(0, 1000);
    let seq = 0;
    for (let i = 0; i < 600 && h.feed.droppedFrames() < 30; i++) {
      h.bus.publish({ ...big, seq: ++seq });
      await sleep(2);
    }
    for (const s of sockets) s.resume();
    const caughtUp = (p: Peer) => p.frames().some((m) => 'skipped' in m);
    for (let i = 0; i < 200 && !slow.every(caughtUp); i++) {
      h.bus.publish({ ...frame(++seq) });
      await sleep(20);
    }
    const last = seq;
    for (const p of slow) await p.until((q) => q.seqs().at(-1) === last, `frame ${last}`);
    for (const p of slow) {
      const skipped = p.frames().reduce((sum, m) => sum + ((m.skipped as number | undefined) ?? 0), 0);
      expect(skipped).toBeGreaterThan(0);
      expect(p.frames().length + skipped).toBe(last);
    }
    for (const m of slow[2].frames()) expect(Object.keys(m)).not.toContain('metrics');
    for (const m of slow[0].frames()) expect(Object.keys(m)).toContain('metrics');
  });

  it('closes a peer that stops answering pings within two heartbeat intervals, and keeps live ones', async () => {
    const heartbeatMs = 200;
    const h = await start({ limits: { heartbeatMs } });
    const live = await open(h.url);
    const dead = await rawHandshake(h.port);
    dead.on('data', () => {}).resume(); // reads everything, answers nothing
    const started = Date.now();
    await new Promise<void>((resolve) => dead.once('close', () => resolve()));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2 * heartbeatMs + 250);
    await sleep(3 * heartbeatMs);
    expect(live.closed).toBeUndefined();
    expect(h.feed.clientCount()).toBe(1);
  });

  it('stops reading a client that does not read, and reads it again once it drains', async () => {
    const { h, stalled } = await startWithStalledClient();
    // The first frame that found its queue full was skipped for it, and only that one so far.
    expect(h.feed.droppedFrames()).toBe(1);
    // Its socket is full: this ping is not answered, and the agent stops reading it.
    stalled.write(maskedTextFrame('{"type":"ping","id":"unread"}'));
    await sleep(100);
    stalled.write(maskedTextFrame('{"type":"ping","id":"after"}'));
    await sleep(100);
    const pongs: unknown[] = [];
    const parser = serverFrames((text) => {
      const m = JSON.parse(text) as { type: string; id?: unknown };
      if (m.type === 'pong') pongs.push(m.id);
    });
    stalled.on('data', parser);
    stalled.resume();
    await vi.waitFor(() => expect(pongs).toEqual(['after']), { timeout: 5000 });
    expect(h.feed.clientCount()).toBe(1);
    stalled.destroy();
  });

  it('applies a subscribe sent while its queue is full', async () => {
    const { h, stalled } = await startWithStalledClient();
    stalled.write(maskedTextFrame('{"type":"subscribe","sections":["findings"]}'));
    await sleep(100);
    const received: { type: string; id?: unknown; seq?: number; [k: string]: unknown }[] = [];
    stalled.on(
      'data',
      serverFrames((text) => received.push(JSON.parse(text))),
    );
    stalled.resume();
    await vi.waitFor(() => expect(h.feed.droppedFrames()).toBeGreaterThan(0));
    // Once it drains, the next frame comes in the sections it asked for while it was full.
    await sleep(200);
    h.bus.publish(frame(100_000));
    await vi.waitFor(() => expect(received.some((m) => m.seq === 100_000)).toBe(true), { timeout: 5000 });
    const last = received.find((m) => m.seq === 100_000);
    expect(Object.keys(last ?? {}).sort()).toEqual([
      'findings',
      'intervalMs',
      'schema',
      'seq',
      'skipped',
      'ts',
      'type',
    ]);
    stalled.destroy();
  });

  it('writes a resume of the whole ring as the client reads it, then the frames that came meanwhile, in order', async () => {
    const h = await start({ limits: { maxBufferedBytes: 64 * 1024, heartbeatMs: 60_000 } });
    // ~180 KB frames: 11 MB of backfill, more than loopback buffers hold.
    const big = frame(0, 1000);
    for (let seq = 1; seq <= 60; seq++) h.bus.publish({ ...big, seq });
    const slow = await rawHandshake(h.port, '/feed?since=0');
    slow.pause();
    await sleep(100);
    for (let seq = 61; seq <= 63; seq++) h.bus.publish({ ...big, seq });
    const frames: { seq: number; skipped?: number }[] = [];
    slow.on(
      'data',
      serverFrames((text) => {
        const m = JSON.parse(text) as { type: string; seq: number; skipped?: number };
        if (m.type === 'frame') frames.push(m);
      }),
    );
    slow.resume();
    await vi.waitFor(() => expect(frames).toHaveLength(63), { timeout: 5000 });
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 63 }, (_, i) => i + 1));
    expect(frames.some((f) => f.skipped !== undefined)).toBe(false);
    slow.destroy();
  });

  it('does not wait for a client that does not read when shutting down', async () => {
    const { h, stalled } = await startWithStalledClient();
    const t0 = Date.now();
    await h.feed.close();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(h.feed.clientCount()).toBe(0);
    stalled.destroy();
  });

  it('closes every client with 1001 when the server shuts down', async () => {
    const h = await start();
    const peer = await open(h.url);
    await h.feed.close();
    expect(await peer.untilClosed()).toMatchObject({ code: 1001 });
    expect(h.feed.clientCount()).toBe(0);
  });
});

/** A feed with a 64 KiB queue bound and a client that stopped reading, once its frames are being skipped. */
async function startWithStalledClient() {
  const h = await start({ limits: { maxBufferedBytes: 64 * 1024, heartbeatMs: 60_000 } });
  const stalled = await rawHandshake(h.port);
  stalled.pause();
  // ~180 KB frames: loopback socket buffers absorb several MB before the queue grows.
  const big = frame(0, 1000);
  for (let seq = 1; seq <= 400 && h.feed.droppedFrames() === 0; seq++) {
    h.bus.publish({ ...big, seq, ts: Date.now() });
    await sleep(5);
  }
  return { h, stalled };
}

/** Text payloads of the unmasked frames a server sends, as they arrive in chunks. */
function serverFrames(onText: (text: string) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      const mark = pending[1] & 0x7f;
      const header = mark === 127 ? 10 : mark === 126 ? 4 : 2;
      if (pending.length < header) return;
      const length = mark === 127 ? Number(pending.readBigUInt64BE(2)) : mark === 126 ? pending.readUInt16BE(2) : mark;
      if (pending.length < header + length) return;
      if ((pending[0] & 0x0f) === 1) onText(pending.subarray(header, header + length).toString());
      pending = pending.subarray(header + length);
    }
  };
}
