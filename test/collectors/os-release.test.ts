import { describe, expect, it } from 'vitest';
import { parseOsRelease } from '../../collectors/os-release.js';

describe('parseOsRelease', () => {
  it('reads unquoted, double- and single-quoted values, with escapes in double quotes', () => {
    const fields = parseOsRelease(
      [
        '# a comment',
        'NAME="Fedora Linux"',
        "VARIANT='Cloud Edition'",
        'ID=fedora',
        'PRETTY_NAME="Say \\"hi\\" \\\\ there"',
        '',
      ].join('\n'),
    );
    expect(Object.fromEntries(fields)).toEqual({
      NAME: 'Fedora Linux',
      VARIANT: 'Cloud Edition',
      ID: 'fedora',
      PRETTY_NAME: 'Say "hi" \\ there',
    });
  });

  it('skips lines that are not assignments and keeps the others', () => {
    const fields = parseOsRelease('garbage line\nlowercase=no\nID=alpine\n=empty\nVERSION_ID=3.19\n');
    expect(Object.fromEntries(fields)).toEqual({ ID: 'alpine', VERSION_ID: '3.19' });
  });

  it('keeps an unbalanced quote as written', () => {
    expect(parseOsRelease('NAME="broken\n').get('NAME')).toBe('"broken');
  });
});
