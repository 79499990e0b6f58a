import { closeSync, openSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { countOpenFds } from '../../src/self/open-fds.js';

describe('countOpenFds', () => {
  test("follows the agent's own descriptors as they open and close", () => {
    const before = countOpenFds();
    expect(before).toBeGreaterThan(2); // stdin, stdout, stderr at least
    const fds = [openSync('/proc/self/stat', 'r'), openSync('/proc/self/status', 'r')];
    try {
      expect(countOpenFds()).toBe((before as number) + 2);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    expect(countOpenFds()).toBe(before);
  });
});
