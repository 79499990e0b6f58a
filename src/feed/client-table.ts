/** What the table needs of a client: where it connects from and whether it reads what it is sent. */
export interface TableClient {
  readonly address: string;
  /** How long its socket has held queued bytes without the peer taking any; 0 while it reads. */
  notReadingForMs(now: number): number;
}

/**
 * How long a client must have taken nothing of what is queued for it to be cut at a cap. A client
 * that reads, even slowly (a resume of the whole ring over a poor network), takes some bytes in
 * that time; a client that connected and never reads does not.
 */
export const NOT_READING_MS = 1000;

/** A new client admitted (after cutting `evicted` to make room, if any), or refused with the reason. */
export type Admission<C> = { admitted: true; evicted?: C } | { admitted: false; reason: string };

/**
 * The connected clients, counted in all and per remote address against the caps. At a cap, the
 * client that has not read what is queued for it for longest (at least NOT_READING_MS) makes room,
 * so that clients that never read cannot lock everyone else out; only when every client counted by
 * the cap is reading is the new one refused.
 */
export class ClientTable<C extends TableClient> implements Iterable<C> {
  private readonly clients = new Set<C>();
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly limits: { maxClients: number; maxPerAddress: number }) {}

  get size(): number {
    return this.clients.size;
  }

  [Symbol.iterator](): Iterator<C> {
    return this.clients[Symbol.iterator]();
  }

  /** Whether a client from `address` may join; an evicted client has left the table, and is the caller's to cut. */
  admission(address: string): Admission<C> {
    const totalFull = this.clients.size >= this.limits.maxClients;
    const addressFull = (this.perAddress.get(address) ?? 0) >= this.limits.maxPerAddress;
    if (!totalFull && !addressFull) return { admitted: true };
    const victim = this.longestNotReading(addressFull ? address : undefined, Date.now());
    if (victim !== undefined) {
      this.forget(victim);
      return { admitted: true, evicted: victim };
    }
    return {
      admitted: false,
      reason: totalFull
        ? `too many clients (${this.limits.maxClients})`
        : `too many connections from this address (${this.limits.maxPerAddress})`,
    };
  }

  add(client: C): void {
    this.clients.add(client);
    this.perAddress.set(client.address, (this.perAddress.get(client.address) ?? 0) + 1);
  }

  forget(client: C): void {
    if (!this.clients.delete(client)) return;
    const n = (this.perAddress.get(client.address) ?? 1) - 1;
    if (n > 0) this.perAddress.set(client.address, n);
    else this.perAddress.delete(client.address);
  }

  /** The client (from `address`, if given) that has not read for longest, if one has not for NOT_READING_MS. */
  private longestNotReading(address: string | undefined, now: number): C | undefined {
    let worst: C | undefined;
    let worstMs = NOT_READING_MS - 1;
    for (const c of this.clients) {
      if (address !== undefined && c.address !== address) continue;
      const ms = c.notReadingForMs(now);
      if (ms > worstMs) {
        worst = c;
        worstMs = ms;
      }
    }
    return worst;
  }
}
