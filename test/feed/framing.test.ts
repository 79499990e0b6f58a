import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { payloadOf, textFrame } from '../../src/feed/framing.js';

/**
 * The feed writes ready-made frames to the socket under a ws server connection. These tests go
 * through a real ws server and client, so a ws upgrade that frames or queues differently fails here.
 */
let http: Server | undefined;
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  http?.closeAllConnections();
  await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
  http = undefined;
});

/** A ws server connection and the socket it was upgraded from, with a client connected to it. */
async function connection(): Promise<{ server: WebSocket; socket: Duplex; client: WebSocket }> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const listening = createServer();
  http = listening;
  const accepted = new Promise<{ server: WebSocket; socket: Duplex }>((resolve) => {
    listening.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => resolve({ server: ws, socket })),
    );
  });
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(listening.address() as AddressInfo).port}`);
  clients.push(client);
  await new Promise((resolve) => client.once('open', resolve));
  return { ...(await accepted), client };
}

function received(client: WebSocket, count: number): Promise<{ text: string; isBinary: boolean }[]> {
  const messages: { text: string; isBinary: boolean }[] = [];
  return new Promise((resolve) => {
    client.on('message', (data, isBinary) => {
      messages.push({ text: data.toString(), isBinary });
      if (messages.length === count) resolve(messages);
    });
  });
}

describe('textFrame', () => {
  it('is received as the same text message at every payload length encoding', async () => {
    const { socket, client } = await connection();
    // 7-bit, 16-bit and 64-bit lengths and both sides of each boundary; "é" is two bytes in UTF-8.
    const texts = [0, 1, 125, 126, 65_535, 65_536, 200_000].map((n) => 'é'.repeat(n >> 1) + 'x'.repeat(n & 1));
    const got = received(client, texts.length);
    for (const text of texts) socket.write(textFrame(text));
    expect(await got).toEqual(texts.map((text) => ({ text, isBinary: false })));
  });

  it("interleaves whole with ws's own messages, pings and close", async () => {
    const { server, socket, client } = await connection();
    const got = received(client, 4);
    const pinged = new Promise<string>((resolve) => client.once('ping', (data) => resolve(data.toString())));
    const closed = new Promise<number>((resolve) => client.once('close', resolve));
    socket.write(textFrame('{"type":"frame","seq":1}'));
    server.send('{"type":"error"}');
    server.ping('hb');
    socket.write(textFrame(Buffer.from('{"type":"frame","seq":2}')));
    server.send(Buffer.from('{"type":"pong"}'), { binary: false });
    await got.then((messages) =>
      expect(messages.map((m) => m.text)).toEqual([
        '{"type":"frame","seq":1}',
        '{"type":"error"}',
        '{"type":"frame","seq":2}',
        '{"type":"pong"}',
      ]),
    );
    expect(await pinged).toBe('hb');
    server.close(1001, 'bye');
    expect(await closed).toBe(1001);
  });
});

describe('payloadOf', () => {
  it('gives back the payload of a frame of any length', () => {
    for (const n of [0, 125, 126, 65_536]) {
      const payload = Buffer.alloc(n, 'a');
      expect(payloadOf(textFrame(payload)).equals(payload)).toBe(true);
    }
  });
});
