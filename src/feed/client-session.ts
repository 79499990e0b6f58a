import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { Frame } from '../model/frame.js';
import type { KeptFrame } from '../pipeline/bus.js';
import type { Opening } from './backfill.js';
import { parseClientMessage } from './client-messages.js';
import { type CatchUpMessages, frameMessage, type SectionSet, sectionSet } from './frame-messages.js';
import type { FeedLimits, FeedLogger } from './limits.js';
import type { ErrorMessage, GapMessage, HelloMessage, PongMessage } from './protocol.js';
import { CLOSE } from './protocol-base.js';
import { MessageBudget } from './rate-limit.js';

/** What a broadcast did for one client: only `skipped` counts as a frame dropped by back-pressure. */
export type FrameOutcome = 'not-open' | 'cut' | 'owed' | 'skipped' | 'sent';

/** Starts the close handshake and cuts the connection if the peer has not completed it within `ms`. */
export function closeWithin(ws: WebSocket, code: number, reason: string, ms: number): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), ms).unref();
}

/**
 * One connected feed client and everything it is owed or allowed: its sections, the frames it
 * skipped and still has to hear about, its backfill written as its socket drains, its message budget
 * and its heartbeat. Frames are written ready-made to the upgraded socket under `ws` (framing.ts),
 * so every bound here is on that socket's queue.
 */
export class FeedClient {
  sections: SectionSet;
  /** Frames skipped since this client's last frame; told to it with the next one. */
  private skipped = 0;
  /** When it started skipping, while it does. */
  private behindSince: number | undefined;
  private answeredPing = true;
  private readonly budget: MessageBudget;
  /** Reading stopped until its socket drains. */
  private readPaused = false;
  /**
   * Frames it is owed (its backfill, then live frames that came meanwhile), written in order as its
   * socket drains: a resume of the whole ring is never queued at once.
   */
  private owed: (KeptFrame | Frame)[] = [];
  /** Bytes of its socket's queue the kernel had taken when last seen, and when that last grew. */
  private takenBytes = 0;
  private lastTookAt = Date.now();

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
    readonly address: string,
    sections: SectionSet,
    private readonly limits: FeedLimits,
    private readonly log: FeedLogger | undefined,
  ) {
    this.sections = sections;
    this.budget = new MessageBudget(limits.maxMessagesPerSecond, limits.maxMessageBurst, Date.now());
    ws.on('pong', () => {
      // The answer to the heartbeat is free; any other pong is a message like the rest, or a client
      // could have the agent parse control frames at line rate for as long as it liked.
      if (!this.answeredPing) this.answeredPing = true;
      else if (ws.readyState === WebSocket.OPEN) this.overRate();
    });
    ws.on('ping', () => {
      if (ws.readyState === WebSocket.OPEN) this.overRate();
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
  }

  /** Bytes waiting in the agent for this client: empty between ticks for a client that reads. */
  queuedBytes(): number {
    return this.socket.writableLength;
  }

  /**
   * How long its socket has held queued bytes without the peer taking any (see ClientTable). Seen at
   * each live frame and each admission, so it is exact to a tick: bytes the kernel took since the
   * last look mean it reads.
   */
  notReadingForMs(now: number): number {
    const queued = this.socket.writableLength;
    // http's upgrade hands over a net.Socket (a tls.TLSSocket under TLS), typed as a bare Duplex.
    const taken = (this.socket as Socket).bytesWritten - queued;
    if (queued === 0 || taken !== this.takenBytes) {
      this.takenBytes = taken;
      this.lastTookAt = now;
    }
    return now - this.lastTookAt;
  }

  /** hello, then a gap notice if needed, then the backfill: all before any live frame (same tick of the loop). */
  open(opening: Opening): void {
    this.sendJson(opening.hello);
    if (opening.gap) this.sendJson(opening.gap);
    this.owed = [...opening.frames];
    this.writeOwed();
  }

  /**
   * A live frame: written, queued behind its backfill, or skipped while its socket is full (it is
   * told how many with its next frame); a client skipping for longer than maxBehindMs is cut.
   */
  offer(frame: Frame, now: number, catchUps: CatchUpMessages): FrameOutcome {
    if (this.ws.readyState !== WebSocket.OPEN) return 'not-open';
    this.notReadingForMs(now);
    const full = this.isFull();
    if (!full) this.behindSince = undefined;
    else {
      this.behindSince ??= now;
      if (now - this.behindSince >= this.limits.maxBehindMs) {
        // Its socket is full, so a close frame would never get through: cut it.
        this.log?.warn({ address: this.address, skipped: this.skipped }, 'feed client dropped: behind for too long');
        this.ws.terminate();
        return 'cut';
      }
    }
    if (this.owed.length > 0) {
      // Its backfill is still going out: live frames queue behind it, in order (the ring holds them).
      this.owed.push(frame);
      return 'owed';
    }
    if (full) {
      this.skipped++;
      return 'skipped';
    }
    if (this.skipped === 0) this.socket.write(frameMessage(frame, this.sections));
    else {
      this.socket.write(catchUps.for(this.sections, this.skipped));
      this.skipped = 0;
    }
    return 'sent';
  }

  /** The heartbeat: a peer that has not answered the previous ping is cut, others are pinged again. */
  heartbeat(): void {
    if (!this.answeredPing) {
      this.log?.info({ address: this.address }, 'feed client dropped: no answer to ping');
      this.ws.terminate();
      return;
    }
    this.answeredPing = false;
    this.ws.ping();
  }

  /** Cuts the connection without a close handshake. */
  cut(): void {
    this.ws.terminate();
  }

  /** Closes it for a server shutdown; resolves once it is closed, within a second at most. */
  closeForShutdown(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      // A peer that does not read would never see the close frame: cut it at once.
      if (this.isFull()) this.ws.terminate();
      // A peer that does not answer the close handshake must not hold up shutdown.
      else closeWithin(this.ws, CLOSE.goingAway, 'server shutting down', 1000);
    });
  }

  private isFull(): boolean {
    return this.socket.writableLength > this.limits.maxBufferedBytes;
  }

  private sendJson(message: HelloMessage | GapMessage | ErrorMessage | PongMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Writes owed frames while the client's queue is under the bound; the rest when its socket drains. */
  private writeOwed(): void {
    let next = this.owed.shift();
    while (next !== undefined) {
      const accepted = this.socket.write(frameMessage(next, this.sections));
      // Stopping only where a write returned false is what guarantees the 'drain' below.
      if (!accepted && this.isFull()) break;
      next = this.owed.shift();
    }
    if (this.owed.length > 0) this.socket.once('drain', () => this.writeOwed());
  }

  /**
   * Spends one message of the client's budget; past it, stops reading the client and closes it.
   * WebSocket pings and unrequested pongs count too: ws answers pings itself, so without this a
   * client could have the agent handle control frames at line rate.
   */
  private overRate(): boolean {
    if (this.budget.take(Date.now())) return false;
    this.log?.info({ address: this.address }, 'feed client dropped: too many messages');
    this.ws.pause();
    closeWithin(
      this.ws,
      CLOSE.policyViolation,
      `more than ${this.limits.maxMessagesPerSecond} messages per second`,
      1000,
    );
    return true;
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    // ws still hands over the rest of a chunk it already read after a close or a pause.
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.overRate()) return;
    if (isBinary) {
      this.ws.close(CLOSE.tooBig, 'binary messages are not accepted');
      return;
    }
    const full = this.readPaused || this.isFull();
    if (full && !this.readPaused) this.pauseUntilDrained();
    const parsed = parseClientMessage(data.toString());
    // Answers would only grow a queue that is not being read: none while it is full.
    if (!parsed.ok) {
      if (!full) this.sendJson({ type: 'error', code: 'bad_message', message: parsed.error });
      return;
    }
    const message = parsed.message;
    // A subscription costs no output and shapes what it gets once it drains: applied even when full.
    if (message.type === 'subscribe') this.sections = sectionSet(message.sections);
    else if (!full) {
      const ts = Date.now();
      this.sendJson(message.id === undefined ? { type: 'pong', ts } : { type: 'pong', id: message.id, ts });
    }
  }

  /** It is not reading what it asked for: stop reading it too, until its socket drains. */
  private pauseUntilDrained(): void {
    this.readPaused = true;
    this.ws.pause();
    this.socket.once('drain', () => {
      this.readPaused = false;
      this.ws.resume();
    });
  }
}
