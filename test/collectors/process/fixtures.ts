import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');
export const basic = join(fixtures, 'procs', 'basic');
export const host = join(fixtures, 'host');

/** A fixture file as the collector reads it: latin1, one char per byte. */
export const fixture = (rel: string) => readFileSync(join(fixtures, rel), 'latin1');
