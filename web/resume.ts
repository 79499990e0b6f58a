import type { Frame } from '../src/model/frame.js';
import { expandTables, parseWireJson } from '../src/model/wire.js';

/**
 * Where the page is in the agent's stream, and what each server message means for it: the same
 * bookkeeping as `top --connect` (src/feed/client.ts). It asks to resume after the last frame it
 * holds (`?since=&stream=`), drops frames it already has, and notices when the agent restarted (a
 * new stream) or frames were lost (a gap, frames skipped for a slow viewer).
 */
export type FeedEvent =
  | { kind: 'hello'; host: string; intervalMs: number; restarted: boolean; backfill: number }
  | { kind: 'frame'; frame: Frame; restarted: boolean; wire: string }
  | { kind: 'notice'; text: string }
  | { kind: 'ignored' };

/** Seconds of backfill asked for on a fresh connection: the agent's whole ring at 1 s. */
export const BACKFILL_S = 300;

export class FeedCursor {
  private stream: string | undefined;
  private lastSeq = -1;
  /** Set by a hello from a new agent process until its first frame has been handed on. */
  private restartPending = false;

  /** The feed URL for the next connection, relative to the page's own origin. */
  feedUrl(location: { protocol: string; host: string }): string {
    const url = new URL(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/feed`);
    if (this.stream !== undefined && this.lastSeq >= 0) {
      url.searchParams.set('since', String(this.lastSeq));
      url.searchParams.set('stream', this.stream);
    } else url.searchParams.set('backfill', String(BACKFILL_S));
    return url.toString();
  }

  /** One text message from the feed. Malformed messages are reported, never thrown. */
  receive(text: string): FeedEvent {
    let message: Record<string, unknown>;
    try {
      message = parseWireJson(text) as Record<string, unknown>;
    } catch (err) {
      return { kind: 'notice', text: `ignored a malformed message from the agent: ${(err as Error).message}` };
    }
    if (typeof message !== 'object' || message === null)
      return { kind: 'notice', text: 'ignored a message that is not an object' };
    switch (message.type) {
      case 'hello':
        return this.hello(message);
      case 'gap':
        return {
          kind: 'notice',
          text: `gap: frames ${message.from}–${message.to} were missed (no longer held by the agent)`,
        };
      case 'frame':
        return this.frame(message, text);
      case 'error':
        return { kind: 'notice', text: `agent: ${String(message.message)}` };
      default:
        return { kind: 'ignored' };
    }
  }

  private hello(message: Record<string, unknown>): FeedEvent {
    const stream = String(message.stream);
    const restarted = this.stream !== undefined && stream !== this.stream;
    if (restarted) {
      this.lastSeq = -1;
      this.restartPending = true;
    }
    this.stream = stream;
    return {
      kind: 'hello',
      host: String(message.host ?? ''),
      intervalMs: Number(message.intervalMs) || 1000,
      restarted,
      backfill: Number(message.backfill) || 0,
    };
  }

  private frame(message: Record<string, unknown>, wire: string): FeedEvent {
    const seq = message.seq;
    if (typeof seq !== 'number' || seq <= this.lastSeq) return { kind: 'ignored' };
    const error = expandTables(message) ?? missingSection(message);
    if (error !== undefined) return { kind: 'notice', text: `ignored a malformed frame: ${error}` };
    this.lastSeq = seq;
    const restarted = this.restartPending;
    this.restartPending = false;
    return { kind: 'frame', frame: withoutEnvelope(message), restarted, wire };
  }
}

function withoutEnvelope(message: Record<string, unknown>): Frame {
  const { type: _type, skipped: _skipped, ...frame } = message;
  return frame as unknown as Frame;
}

/** A frame again from the feed message it came in, which was read whole once already (FeedCursor.receive). */
export function frameOfWire(wire: string): Frame {
  const message = parseWireJson(wire) as Record<string, unknown>;
  expandTables(message);
  return withoutEnvelope(message);
}

const LISTS = ['use', 'findings', 'events', 'processes'] as const;

/** What a frame lacks that the page reads (it asks for every section): a name, or undefined when whole. */
function missingSection(frame: Record<string, unknown>): string | undefined {
  if (typeof frame.ts !== 'number') return 'ts is not a number';
  for (const list of LISTS) if (!Array.isArray(frame[list])) return `${list} is not a list`;
  for (const section of ['host', 'metrics'] as const) {
    if (typeof frame[section] !== 'object' || frame[section] === null) return `${section} is missing`;
  }
  return undefined;
}
