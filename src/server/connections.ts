import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ReportOnce } from './report-once.js';

/** What the table counts, in the server's stats. */
export interface ConnectionCounts {
  connections: number;
  rejectedConnections: number;
  clientErrors: number;
}

export interface ConnectionLimits {
  /**
   * Connections not handed to the feed. At the ceiling a new connection closes the oldest one that is
   * idle (waiting for a request, or for a client that stopped reading); with none idle it gets 503.
   * Not per address: on loopback every local client is 127.0.0.1, so a per-address cap on plain
   * requests would let one client lock out /healthz and /metrics for all the others.
   */
  maxHttpConnections: number;
  /** Requests read on one connection whose responses are not yet written; one more closes it. */
  maxPipelinedRequests: number;
}

/** The agent's fixed connection bounds (not in the configuration). */
export const MAX_HTTP_CONNECTIONS = 512;
export const MAX_PIPELINED_REQUESTS = 8;

interface Connection {
  socket: Socket;
  /** Requests read whose responses are not written yet. */
  inFlight: number;
}

/**
 * The plain HTTP connections (not handed to the feed), oldest first: a ceiling that closes idle
 * connections to make room, and a bound on requests pipelined on one connection.
 */
export class ConnectionTable {
  private readonly connections = new Map<Duplex, Connection>();

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly counts: ConnectionCounts,
    private readonly reportOnce: ReportOnce,
  ) {}

  /** Takes a new connection in, closing the oldest idle one at the ceiling; false if every one is busy. */
  admit(socket: Socket): boolean {
    if (this.connections.size >= this.limits.maxHttpConnections && !this.closeOldestIdle()) {
      this.counts.rejectedConnections++;
      this.reportOnce(
        'conn-cap',
        { remote: socket.remoteAddress, connections: this.connections.size },
        'connection refused: every connection is busy with a request',
      );
      return false;
    }
    this.counts.connections++;
    this.connections.set(socket, { socket, inFlight: 0 });
    socket.once('close', () => {
      this.counts.connections--;
      this.connections.delete(socket);
    });
    return true;
  }

  /**
   * Counts a request against its connection until its response is done; false when it must not be
   * answered: its connection was cut for pipelining too far ahead, or is already gone.
   */
  startRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const connection = this.connections.get(req.socket);
    if (connection === undefined) return !req.socket.destroyed;
    if (connection.inFlight >= this.limits.maxPipelinedRequests) {
      // Node stops reading a client whose responses pile up, but every request already in the
      // chunk it read (a thousand in 64 KB) still comes here: past the bound, the client is cut.
      this.counts.clientErrors++;
      this.reportOnce(
        'pipelining',
        { remote: req.socket.remoteAddress, inFlight: connection.inFlight },
        `connection closed: more than ${this.limits.maxPipelinedRequests} pipelined requests not yet answered`,
      );
      this.connections.delete(req.socket);
      req.socket.destroy();
      return false;
    }
    connection.inFlight++;
    res.once('close', () => {
      connection.inFlight--;
    });
    return true;
  }

  /** The connection leaves the table (an upgrade hands it over); it still counts as open until it closes. */
  release(socket: Duplex): void {
    this.connections.delete(socket);
  }

  /** Closes the oldest connection that waits for a request or for its client to read; false if none does. */
  private closeOldestIdle(): boolean {
    for (const c of this.connections.values()) {
      if (c.inFlight === 0 || c.socket.writableNeedDrain) {
        this.counts.rejectedConnections++;
        this.reportOnce('conn-evict', { remote: c.socket.remoteAddress }, 'idle connection closed to admit a new one');
        this.connections.delete(c.socket);
        c.socket.destroy();
        return true;
      }
    }
    return false;
  }
}
