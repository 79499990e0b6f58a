import { describe, expect, it } from 'vitest';
import { ClientTable, NOT_READING_MS } from '../../src/feed/client-table.js';

/** A client that has taken nothing of its queue for `idleMs`. */
function client(address: string, idleMs = 0) {
  return { address, notReadingForMs: () => idleMs };
}

describe('feed client caps', () => {
  it('at the total cap, cuts the client that has not read for longest, from any address', () => {
    const table = new ClientTable({ maxClients: 3, maxPerAddress: 10 });
    const reading = client('10.0.0.1');
    const slow = client('10.0.0.2', 20_000);
    const stalled = client('10.0.0.3', 250_000);
    for (const c of [reading, slow, stalled]) table.add(c);
    expect(table.admission('10.0.0.9')).toEqual({ admitted: true, evicted: stalled });
    expect([...table]).toEqual([reading, slow]);
  });

  it('at the per-address cap, cuts only a client of that address, however far behind others are', () => {
    const table = new ClientTable({ maxClients: 10, maxPerAddress: 2 });
    const stalledElsewhere = client('10.0.0.2', 250_000);
    const sameReading = client('10.0.0.1');
    const sameSlow = client('10.0.0.1', NOT_READING_MS);
    for (const c of [stalledElsewhere, sameReading, sameSlow]) table.add(c);
    expect(table.admission('10.0.0.1')).toEqual({ admitted: true, evicted: sameSlow });
    expect(table.admission('10.0.0.2')).toEqual({ admitted: true });
  });

  it('refuses a newcomer, naming the cap, when every client counted by it is reading', () => {
    const table = new ClientTable({ maxClients: 2, maxPerAddress: 1 });
    table.add(client('10.0.0.1'));
    expect(table.admission('10.0.0.1')).toEqual({
      admitted: false,
      reason: 'too many connections from this address (1)',
    });
    table.add(client('10.0.0.2'));
    expect(table.admission('10.0.0.3')).toEqual({ admitted: false, reason: 'too many clients (2)' });
  });

  it('does not cut a client that took some of its queue within the last second, such as one reading its backfill', () => {
    const table = new ClientTable({ maxClients: 2, maxPerAddress: 10 });
    table.add(client('10.0.0.1'));
    table.add(client('10.0.0.2', NOT_READING_MS - 1));
    expect(table.admission('10.0.0.3')).toEqual({ admitted: false, reason: 'too many clients (2)' });
  });

  it('frees a place per address when a client leaves', () => {
    const table = new ClientTable({ maxClients: 10, maxPerAddress: 1 });
    const first = client('10.0.0.1');
    table.add(first);
    table.forget(first);
    table.forget(first);
    expect(table.size).toBe(0);
    expect(table.admission('10.0.0.1')).toEqual({ admitted: true });
  });
});
