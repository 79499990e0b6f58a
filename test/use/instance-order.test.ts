import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePlainNames, instanceComparator } from '../../src/use/instance-order.js';

const collator = new Intl.Collator('en', { numeric: true });
const sign = (n: number) => Math.sign(n);

/** Names of the fast path's alphabet, weighted towards what hosts have: letters, digit runs (zeros too), slashes. */
const plainName = fc
  .array(
    fc.oneof(
      fc.constantFrom('a', 'b', 'z', 'cpu', 'sd', 'nvme', 'eth', 'p', 'n', 'docker', 'mnt'),
      fc.constantFrom('0', '00', '01', '1', '2', '9', '10', '007', '12345678901234567890'),
      fc.constantFrom(...'_-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

describe('instance order', () => {
  it('orders plain names as the numeric collator does', () => {
    fc.assert(
      fc.property(plainName, plainName, (a, b) => {
        expect(sign(comparePlainNames(a, b))).toBe(sign(collator.compare(a, b)));
      }),
      { numRuns: 5000 },
    );
  });

  it('sorts a host’s instances naturally', () => {
    const names = ['sda1', 'cpu10', '/boot/efi', 'nvme0n1', 'cpu2', '/', 'sda', 'eth0', 'dm-0', '', 'cpu01', '/boot'];
    const compare = instanceComparator(names);
    expect([...names].sort(compare)).toEqual([
      '',
      '/',
      '/boot',
      '/boot/efi',
      'cpu01',
      'cpu2',
      'cpu10',
      'dm-0',
      'eth0',
      'nvme0n1',
      'sda',
      'sda1',
    ]);
  });

  it('sorts a list with other names (capitals, spaces, non-ASCII) by the collator', () => {
    const names = ['/mnt/Data', '/mnt/data', '/mnt/daß', '/mnt/d a', 'enP2p1s0', 'enp2s0', '/mnt/été', '/mnt/ete'];
    const compare = instanceComparator(names);
    expect([...names].sort(compare)).toEqual([...names].sort(collator.compare));
    expect(compare).not.toBe(comparePlainNames);
  });
});
