/**
 * One WebSocket text message as the bytes that go on the wire (RFC 6455 §5.2: FIN set, opcode 1,
 * no mask, since a server never masks), built once and written to every client that gets the same
 * message. Through `ws.send`, each of a thousand clients paid for two option objects, a header
 * allocation, cork/uncork and a two-chunk `writev`: most of the send loop's JavaScript, whose user
 * time fell from about 7 to 1 ms per broadcast at 1,000 clients (docs/performance.md).
 *
 * The bytes go straight to the socket the upgrade was handed, the one ws writes to. That is sound
 * because ws writes each of its own frames (hello, errors, pings, close) whole and synchronously:
 * it only queues frames while compressing or reading a Blob, and the feed does neither
 * (permessage-deflate is off, every message is a string or a Buffer). test/feed/framing.test.ts
 * fails if a ws upgrade breaks this.
 */
export function textFrame(payload: string | Buffer): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const header = headerLength(length);
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  if (typeof payload === 'string') frame.write(payload, header);
  else payload.copy(frame, header);
  return frame;
}

/** The payload of a frame made by textFrame, as a view into it. */
export function payloadOf(frame: Buffer): Buffer {
  const mark = frame[1];
  return frame.subarray(mark === 127 ? 10 : mark === 126 ? 4 : 2);
}

/** Payloads up to 125 bytes carry their length in the second byte; then 16 bits, then 64. */
function headerLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
}
