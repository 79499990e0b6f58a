import type { Frame } from '../model/frame.js';

/**
 * What the feed's two ends share besides the message schemas: the protocol version, the frame
 * sections a client may subscribe to and the close codes. Kept apart from protocol.ts, whose zod
 * schemas the agent's side does not load (client messages are read by client-messages.ts).
 */
export const FEED_PROTOCOL = 1;

/**
 * Frame fields a client may subscribe to. `schema`, `seq`, `ts` and `intervalMs` are always sent.
 * Typed as a record over the Frame's keys so that a section added to Frame fails to compile here
 * until the feed knows about it.
 */
const SECTION_FLAGS: Record<Exclude<keyof Frame, 'schema' | 'seq' | 'ts' | 'intervalMs' | 'counters'>, true> = {
  host: true,
  metrics: true,
  use: true,
  findings: true,
  events: true,
  processes: true,
  kernelEvents: true,
  sources: true,
  cgroups: true,
  self: true,
};
export type FrameSection = keyof typeof SECTION_FLAGS;
export const FRAME_SECTIONS = Object.keys(SECTION_FLAGS) as FrameSection[];

/** Close codes the feed uses (RFC 6455 §7.4.1). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** More messages than the rate allows. */
  policyViolation: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
  /** A client that stayed behind too long or stopped answering pings is dropped without a handshake. */
  abnormal: 1006,
} as const;
