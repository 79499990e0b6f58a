/** What the table needs of a client: where it connects from and how much is queued for it. */
export interface TableClient {
  readonly address: string;
  queuedBytes(): number;
}

/** A new client admitted (after cutting `evicted` to make room, if any), or refused with the reason. */
export type Admission<C> = { admitted: true; evicted?: C } | { admitted: false; reason: string };

/**
 * The connected clients, counted in all and per remote address against the caps. At a cap, the
 * client that has the most bytes waiting in the agent (it is not reading: a reading client's queue is
 * empty between ticks) makes room, so that clients that never read cannot lock everyone else out;
 * only when every client counted by the cap is reading is the new one refused.
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
    const victim = this.furthestBehind(addressFull ? address : undefined);
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

  /** The client (from `address`, if given) with the most bytes queued, if any has some. */
  private furthestBehind(address: string | undefined): C | undefined {
    let worst: C | undefined;
    for (const c of this.clients) {
      if (address !== undefined && c.address !== address) continue;
      if (c.queuedBytes() > (worst?.queuedBytes() ?? 0)) worst = c;
    }
    return worst;
  }
}
