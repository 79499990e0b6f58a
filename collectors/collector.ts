import type { SourceLog } from './procfs.js';

/**
 * One resource family. `read` does the I/O for one tick through the SourceLog (which records the
 * status of every file) and returns the parsed sample, or undefined when its main source is
 * unusable. It never throws for absent, denied, vanished or malformed files.
 */
export interface Collector<S> {
  readonly name: string;
  read(log: SourceLog): S | undefined | Promise<S | undefined>;
}
