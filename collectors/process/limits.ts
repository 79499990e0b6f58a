import { skipBlanks } from '../parse.js';
import { tokenEnd, unsignedAt } from './digits.js';

const MAX_OPEN_FILES = 'Max open files';

/** Soft "Max open files" limit from /proc/<pid>/limits; undefined when unlimited or absent. */
export function parseMaxOpenFiles(text: string): number | undefined {
  const at = text.indexOf(MAX_OPEN_FILES);
  if (at < 0) return undefined;
  const v = skipBlanks(text, at + MAX_OPEN_FILES.length, text.length);
  const end = tokenEnd(text, v, text.length);
  if (text.startsWith('unlimited', v)) return undefined;
  return unsignedAt(text, v, end, 'limits: Max open files');
}
