import { describe, expect, it } from 'vitest';
import { processFields } from '../../src/use/process-fields.js';

describe('the measures of a process', () => {
  it('labels every measure in the one spelling of its unit, "-" where it was not measured', () => {
    const fields = new Map(
      processFields({
        pid: 42,
        name: 'java',
        cmd: '',
        user: 'app',
        state: 'D',
        cpu: 1.5,
        rssBytes: 3 * 1024 ** 3,
        runDelay: 0.5,
        fds: 310,
        fdLimit: 1024,
        threads: 64,
      }),
    );
    expect(fields.get('command')).toBe('(kernel thread)');
    expect(fields.get('cpu')).toBe('150%');
    expect(fields.get('rss')).toBe('3G');
    expect(fields.get('read')).toBe('-');
    expect(fields.get('run delay')).toBe('0.50 threads waiting');
    expect(fields.get('fds')).toBe('310 of 1024');
    expect(fields.get('threads')).toBe('64');
  });
});
