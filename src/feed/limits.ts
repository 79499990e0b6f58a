/** The bounds that keep what one feed client costs the agent small, whatever the client does. */
export interface FeedLimits {
  /** Connections beyond this are accepted and closed at once with 1013. */
  maxClients: number;
  /** Connections from one remote address beyond this are closed with 1013. */
  maxPerAddress: number;
  /** A client message larger than this closes the connection with 1009. */
  maxMessageBytes: number;
  /** Client messages allowed per second on one connection, after a burst of maxMessageBurst; more closes it with 1008. */
  maxMessagesPerSecond: number;
  maxMessageBurst: number;
  /**
   * Above this many bytes queued for a client, its frames are skipped and its messages are neither
   * read nor answered until it drains: a client that does not read costs no more than this.
   */
  maxBufferedBytes: number;
  /** A client skipping frames continuously for this long is dropped. */
  maxBehindMs: number;
  /** Ping period; a peer that has not answered the previous ping when the next is due is dropped. */
  heartbeatMs: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = {
  maxClients: 256,
  maxPerAddress: 32,
  maxMessageBytes: 4096,
  maxMessagesPerSecond: 10,
  maxMessageBurst: 20,
  maxBufferedBytes: 256 * 1024,
  maxBehindMs: 30_000,
  heartbeatMs: 15_000,
};

/** Minimal logger shape (pino's). */
export interface FeedLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
