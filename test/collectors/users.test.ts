import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePasswd } from '../../collectors/users.js';

const passwd = join(import.meta.dirname, '..', 'fixtures', 'procs', 'basic', 'etc', 'passwd');

describe('parsePasswd', () => {
  it('maps uids to names, skipping broken lines', () => {
    expect(parsePasswd(readFileSync(passwd, 'latin1'))).toEqual(
      new Map([
        [0, 'root'],
        [1000, 'app'],
      ]),
    );
  });
});
