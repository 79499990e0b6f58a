import { describe, expect, it } from 'vitest';
import { ClientTable } from '../../src/feed/client-table.js';

function client(address: string, queued = 0) {
  return {
    address,
    queued,
    queuedBytes() {
      return this.queued;
    },
  };
}

describe('feed client caps', () => {
  it('at the total cap, cuts the client with the most bytes waiting, from any address', () => {
    const table = new ClientTable({ maxClients: 3, maxPerAddress: 10 });
    const reading = client('10.0.0.1');
    const slow = client('10.0.0.2', 10_000);
    const stalled = client('10.0.0.3', 250_000);
    for (const c of [reading, slow, stalled]) table.add(c);
    expect(table.admission('10.0.0.9')).toEqual({ admitted: true, evicted: stalled });
    expect([...table]).toEqual([reading, slow]);
  });

  it('at the per-address cap, cuts only a client of that address, however far behind others are', () => {
    const table = new ClientTable({ maxClients: 10, maxPerAddress: 2 });
    const stalledElsewhere = client('10.0.0.2', 250_000);
    const sameReading = client('10.0.0.1');
    const sameSlow = client('10.0.0.1', 1);
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
