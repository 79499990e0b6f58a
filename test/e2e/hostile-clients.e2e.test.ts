import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  cpuSeconds,
  maskedFrame,
  maskedTextFrame,
  openSocket,
  pingFlood,
  pipelineFlood,
  rssMb,
} from '../../bench/hostile-clients.js';
import { get } from '../server/helpers.js';
import { type AgentProcess, notBuiltReason, startAgentProcess, stopProcess, waitFor } from './agent-process.js';

/**
 * The built agent against local clients that misbehave as an attacker on the same host would. Each
 * test checks what an operator would notice: the agent still ticks, /healthz, /metrics and other feed
 * clients are still served, and its RSS grows by less than 100 MB.
 */
if (notBuiltReason) console.log(`skipped: ${notBuiltReason}`);

const RSS_BUDGET_MB = 100;
const TOKEN = 'e2e-token-0123456789abcdef';

let agent: AgentProcess;
let port: number;
const opened: (Socket | WebSocket)[] = [];

function track<T extends Socket | WebSocket>(s: T): T {
  opened.push(s);
  return s;
}

afterEach(async () => {
  for (const s of opened.splice(0)) {
    if (s instanceof WebSocket) s.terminate();
    else s.destroy();
  }
  // Let the agent see the closes before the next test counts connections.
  await sleep(200);
});

/** The agent ticks (healthz 200 with a tick less than 3 s old) and a scrape succeeds. */
async function expectServing(from?: string): Promise<void> {
  const health = await get(port, '/healthz', { localAddress: from });
  expect(health.status).toBe(200);
  expect(JSON.parse(health.body).lastTickAgeSeconds).toBeLessThan(3);
  const scrape = await get(port, '/metrics', { localAddress: from });
  expect(scrape.status).toBe(200);
  expect(scrape.body).toContain('usewatch_build_info');
}

/** Peak RSS growth over the baseline while `work` runs, plus the RSS once it is over; logged with the test. */
async function rssDuring(name: string, work: () => Promise<unknown>): Promise<number> {
  const pid = agent.child.pid ?? 0;
  const baseline = rssMb(pid) ?? 0;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0);
  }, 50);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const growth = Math.max(peak, rssMb(pid) ?? 0) - baseline;
  console.log(`${name}: agent RSS ${baseline.toFixed(1)} MB, peak growth ${growth.toFixed(1)} MB`);
  return growth;
}

/**
 * While `flood` runs: a reading feed client gets frames for `framesMs`, then /healthz and /metrics
 * answer. The flood's result and the agent's RSS growth over the whole of it.
 */
async function whileServing<T>(name: string, flood: Promise<T>, framesMs: number) {
  let result: T | undefined;
  const growth = await rssDuring(name, async () => {
    expect(await framesDuring(agent.url, framesMs)).toBeGreaterThanOrEqual(Math.floor(framesMs / 1000) - 1);
    await expectServing();
    result = await flood;
  });
  return { growth, result: result as T };
}

/** A well-behaved feed client: it reads, and counts the frames it gets. */
function feedClient(url: string, opts: { localAddress?: string; headers?: Record<string, string> } = {}) {
  const ws = track(new WebSocket(`${url.replace(/^http/, 'ws')}/feed?backfill=0`, opts));
  const state = { frames: 0, closeCode: undefined as number | undefined, status: undefined as number | undefined };
  ws.on('message', (data) => {
    if ((JSON.parse(data.toString()) as { type: string }).type === 'frame') state.frames++;
  });
  ws.on('close', (code) => {
    state.closeCode = code;
  });
  ws.on('unexpected-response', (_req, res) => {
    state.status = res.statusCode;
    res.resume();
    ws.terminate();
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('close', () => resolve());
  });
  return { ws, state, opened };
}

/** Frames a reading client receives during `ms` (the agent ticks every second). */
async function framesDuring(url: string, ms: number): Promise<number> {
  const client = feedClient(url);
  await client.opened;
  await sleep(ms);
  client.ws.terminate();
  return client.state.frames;
}

/** Status of a feed handshake with the given headers, written by hand. */
async function handshake(headers: string): Promise<string> {
  const s = track(await openSocket(agent.url));
  s.write(
    `GET /feed HTTP/1.1\r\n${headers}Upgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve) => {
    let data = '';
    s.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (data.includes('\r\n')) resolve(data);
    });
    s.on('close', () => resolve(data));
  });
  return head.split('\r\n')[0];
}

describe.skipIf(notBuiltReason !== undefined)('hostile local clients', () => {
  beforeAll(async () => {
    agent = await startAgentProcess([]);
    port = Number(new URL(agent.url).port);
    await waitFor('the first tick', 10_000, async () =>
      (await get(port, '/healthz')).status === 200 ? true : undefined,
    );
  });
  afterAll(async () => {
    await stopProcess(agent?.child);
  });

  it('a feed client flooding pings without reading is cut; others keep their frames', async () => {
    const { growth, result } = await whileServing('ping flood', pingFlood(agent.url, 5000), 3000);
    expect(result.closedByAgent).toBe(true);
    expect(growth).toBeLessThan(RSS_BUDGET_MB);
    await expectServing();
  });

  it('a feed client flooding unrequested pongs is cut, without the agent spending its CPU on them', async () => {
    const pid = agent.child.pid ?? 0;
    const cpuBefore = cpuSeconds(pid);
    const t0 = Date.now();
    const pong = maskedFrame(0xa, Buffer.alloc(125, 1));
    const { growth, result } = await whileServing('pong flood', pingFlood(agent.url, 4000, { frame: pong }), 3000);
    const cpu = (cpuSeconds(pid) - cpuBefore) / ((Date.now() - t0) / 1000);
    console.log(`pong flood: agent CPU ${(cpu * 100).toFixed(0)} % over the flood`);
    expect(result.closedByAgent).toBe(true);
    expect(cpu).toBeLessThan(0.5);
    expect(growth).toBeLessThan(RSS_BUDGET_MB);
  });

  it('a request with a never-ending body, on any path, gets 413 and is closed at once', async () => {
    for (const head of ['POST /nope', 'PUT /healthz']) {
      const s = track(await openSocket(agent.url));
      const t0 = Date.now();
      s.write(`${head} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n${'x'.repeat(1000)}`);
      const answer = await new Promise<string>((resolve) => {
        let data = '';
        s.on('data', (c: Buffer) => {
          data += c.toString('latin1');
        });
        s.on('close', () => resolve(data));
      });
      expect(answer.split('\r\n')[0], head).toBe('HTTP/1.1 413 Payload Too Large');
      expect(Date.now() - t0, head).toBeLessThan(1000);
    }
    await expectServing();
  });

  it('pipelined GET /metrics without reading, on one and on two connections, is cut', async () => {
    for (const connections of [1, 2]) {
      const flood = pipelineFlood(agent.url, '/metrics', 4000, connections);
      const { growth, result } = await whileServing(`pipelining flood, ${connections} connection(s)`, flood, 2500);
      expect(result.closedByAgent).toBe(connections);
      expect(growth).toBeLessThan(RSS_BUDGET_MB);
    }
    await expectServing();
  });

  it('idle feed connections up to the per-address cap and past it leave /healthz and /metrics alone', async () => {
    const clients = Array.from({ length: 40 }, () => feedClient(agent.url));
    await Promise.all(clients.map((c) => c.opened));
    await waitFor('the refusals past the cap', 5000, () =>
      clients.filter((c) => c.state.closeCode === 1013).length === 8 ? true : undefined,
    );
    for (let i = 0; i < 5; i++) await expectServing();
    // A 41st feed client from the same address is told to come back later, as the docs say.
    const late = feedClient(agent.url);
    await late.opened;
    await waitFor('the 1013 close', 3000, () => late.state.closeCode ?? undefined);
    expect(late.state.closeCode).toBe(1013);
  });

  it('slowloris from one address does not fail other clients, from that address or another', async () => {
    const slow: Socket[] = [];
    for (let i = 0; i < 600; i++) {
      const s = track(await openSocket(agent.url));
      s.on('error', () => {});
      s.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      slow.push(s);
    }
    const dribble = setInterval(() => {
      for (const s of slow) if (s.writable) s.write('X-Slow: 1\r\n');
    }, 200);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) {
        const from = i % 2 === 0 ? undefined : '127.0.0.2';
        statuses.push((await get(port, i % 5 === 0 ? '/metrics' : '/healthz', { localAddress: from })).status);
      }
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      await expectServing();
      expect(await framesDuring(agent.url, 2200)).toBeGreaterThanOrEqual(1);
    } finally {
      clearInterval(dribble);
    }
  });

  it('feed connections spread over 127.0.0.2–.10 up to the total cap leave /healthz and /metrics alone', async () => {
    const growth = await rssDuring('256 feed clients', async () => {
      const clients = [];
      for (let i = 0; i < 256; i++) clients.push(feedClient(agent.url, { localAddress: `127.0.0.${2 + (i % 9)}` }));
      await Promise.all(clients.map((c) => c.opened));
      expect(clients.filter((c) => c.state.closeCode !== undefined)).toEqual([]);
      const over = feedClient(agent.url, { localAddress: '127.0.0.11' });
      await over.opened;
      await waitFor('the 1013 close', 3000, () => over.state.closeCode ?? undefined);
      expect(over.state.closeCode).toBe(1013);
      for (let i = 0; i < 3; i++) await expectServing('127.0.0.11');
      await sleep(1500);
      expect(clients.every((c) => c.state.frames >= 1)).toBe(true);
    });
    expect(growth).toBeLessThan(RSS_BUDGET_MB);
  });

  it('garbage and oversized WebSocket frames close only their own connection', async () => {
    const watcher = feedClient(agent.url);
    await watcher.opened;
    const garbage = feedClient(agent.url);
    await garbage.opened;
    // A raw write past ws: an unmasked frame with a reserved opcode.
    (garbage.ws as unknown as { _socket: Socket })._socket.write(Buffer.from([0x8f, 0x03, 1, 2, 3]));
    const big = feedClient(agent.url);
    await big.opened;
    big.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(10_000) }));
    const text = feedClient(agent.url);
    await text.opened;
    const raw = (text.ws as unknown as { _socket: Socket })._socket;
    raw.write(maskedTextFrame('not json at all'));
    await waitFor('the bad clients to be closed', 3000, () =>
      garbage.state.closeCode !== undefined && big.state.closeCode !== undefined ? true : undefined,
    );
    expect(garbage.state.closeCode).toBe(1002);
    expect(big.state.closeCode).toBe(1009);
    const before = watcher.state.frames;
    await sleep(2200);
    expect(watcher.state.frames).toBeGreaterThan(before);
    expect(text.state.closeCode).toBeUndefined();
    await expectServing();
  });

  it('a foreign Host header gets 421 and a foreign Origin 403, on /metrics and on the feed', async () => {
    const metrics = await get(port, '/metrics', { headers: { Host: 'rebind.evil.example' } });
    expect(metrics.status).toBe(421);
    expect(await handshake('Host: rebind.evil.example\r\n')).toBe('HTTP/1.1 421 Misdirected Request');
    expect(await handshake(`Host: 127.0.0.1:${port}\r\nOrigin: https://evil.example\r\n`)).toBe(
      'HTTP/1.1 403 Forbidden',
    );
    expect(await handshake(`Host: 127.0.0.1:${port}\r\n`)).toBe('HTTP/1.1 101 Switching Protocols');
    await expectServing();
  });
});

describe.skipIf(notBuiltReason !== undefined)('hostile local clients, agent with a token', () => {
  let tokenAgent: AgentProcess;
  beforeAll(async () => {
    tokenAgent = await startAgentProcess([], { USEWATCH_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await stopProcess(tokenAgent?.child);
  });

  it('a wrong or missing token gets 401 on /metrics and the feed; /healthz needs none', async () => {
    const p = Number(new URL(tokenAgent.url).port);
    expect((await get(p, '/metrics')).status).toBe(401);
    expect((await get(p, '/metrics', { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(
      401,
    );
    const refused = feedClient(tokenAgent.url, { headers: { Authorization: 'Bearer wrong-token-0123456789' } });
    await refused.opened;
    await waitFor('the refusal', 3000, () => refused.state.status);
    expect(refused.state.status).toBe(401);
    const allowed = feedClient(tokenAgent.url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await allowed.opened;
    expect(allowed.state.closeCode).toBeUndefined();
    expect((await get(p, '/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await get(p, '/healthz')).status).toBe(200);
  });
});

describe.skipIf(notBuiltReason !== undefined)('hostile local clients and SIGTERM', () => {
  it('SIGTERM stops the agent within 2 s during every flood at once', async () => {
    const victim = await startAgentProcess([]);
    try {
      const p = Number(new URL(victim.url).port);
      await waitFor('the first tick', 10_000, async () =>
        (await get(p, '/healthz')).status === 200 ? true : undefined,
      );
      const idle = Array.from({ length: 40 }, () => feedClient(victim.url));
      await Promise.all(idle.map((c) => c.opened));
      for (let i = 0; i < 100; i++) {
        const s = track(await openSocket(victim.url));
        s.on('error', () => {});
        s.write('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      }
      const floods = [pingFlood(victim.url, 4000), pipelineFlood(victim.url, '/metrics', 4000, 2)];
      await sleep(1500);
      const t0 = Date.now();
      const exited = new Promise<number | null>((resolve) => victim.child.once('exit', (code) => resolve(code)));
      victim.child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(5000).then(() => 'still running')]);
      const elapsed = Date.now() - t0;
      console.log(`SIGTERM during the floods: exited ${code} after ${elapsed} ms`);
      expect(code).toBe(0);
      expect(elapsed).toBeLessThan(2000);
      await Promise.all(floods);
    } finally {
      await stopProcess(victim.child);
    }
  });
});
