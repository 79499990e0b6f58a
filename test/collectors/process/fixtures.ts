import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');
export const basic = join(fixtures, 'procs', 'basic');
export const host = join(fixtures, 'host');

/** A fixture file as the collector reads it: latin1, one char per byte. */
export const fixture = (rel: string) => readFileSync(join(fixtures, rel), 'latin1');

/** A fixture file's bytes, as the collector parses stat and schedstat. */
export const fixtureBytes = (rel: string) => readFileSync(join(fixtures, rel));

/** Text as the bytes a read would give (latin1: one byte a char), for parsers of bytes. */
export const bytesOf = (text: string) => Buffer.from(text, 'latin1');
