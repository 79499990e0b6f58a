import { describe, expect, it } from 'vitest';
import { parseCmdline } from '../../../collectors/process/cmdline.js';
import { fixture } from './fixtures.js';

describe('parseCmdline', () => {
  it.each([
    ['dd\0if=/dev/vda\0of=/dev/null\0', 'dd if=/dev/vda of=/dev/null'],
    [fixture('procs/basic/proc/1/cmdline'), '/sbin/init splash'],
    [fixture('procs/basic/proc/200/cmdline'), './a) b --flag'],
    // kernel threads and zombies have an empty cmdline
    [fixture('host/proc/2/cmdline'), ''],
    ['', ''],
    ['\0\0', ''],
  ])('joins the arguments of %j with spaces', (text, expected) => {
    expect(parseCmdline(text)).toBe(expected);
  });

  it('keeps at most maxChars characters', () => {
    expect(parseCmdline('x'.repeat(10_000), 100)).toHaveLength(100);
    expect(parseCmdline('x'.repeat(10_000))).toHaveLength(4096);
  });
});
