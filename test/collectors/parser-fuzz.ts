import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Collector } from '../../collectors/collector.js';
import { ProcFs, SourceLog } from '../../collectors/procfs.js';
import { ParseError } from '../../collectors/types.js';

/** A parser may reject input, but only with a ParseError naming the problem. */
export function onlyParseError(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ParseError);
  }
}

/**
 * The characters /proc and /sys files are made of: text of these alone reaches the scanner's
 * field, counter and line paths far more often than arbitrary text does.
 */
const PROCFS_CHARS = fc.constantFrom(...'0123456789 \t\n:-=.()xkB'.split(''));

/**
 * Arbitrary text, text of procfs characters, truncations of a real file and small corruptions of
 * it never escape as anything but ParseError.
 */
export function fuzzParser(parse: (text: string) => unknown, real: string): void {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => onlyParseError(parse, text)));
  fc.assert(fc.property(fc.string({ unit: PROCFS_CHARS, maxLength: 400 }), (text) => onlyParseError(parse, text)));
  fc.assert(fc.property(fc.nat({ max: real.length }), (n) => onlyParseError(parse, real.slice(0, n))));
  fc.assert(
    fc.property(fc.nat({ max: real.length - 1 }), fc.string({ minLength: 1, maxLength: 3 }), (i, junk) =>
      onlyParseError(parse, real.slice(0, i) + junk + real.slice(i + 1)),
    ),
  );
}

/** One read of a collector over a root, with the source reports it made. */
export async function readOnce<S>(collector: Collector<S>, root: string) {
  const fs = new ProcFs(root);
  const log = new SourceLog(fs);
  try {
    const sample = await collector.read(log);
    return { sample, reports: log.reports };
  } finally {
    fs.close();
  }
}

/**
 * Copies a fixture tree to a scratch root, then writes corrupted versions of one of its files
 * (truncated, with junk spliced in) and
 * reads it through a fresh collector each time: the read never throws, and the file's report is
 * either ok (the corruption still parsed) or failed with a reason naming what is wrong.
 */
export async function expectCorruptionReported<S>(
  makeCollector: () => Collector<S>,
  tree: string,
  rel: string,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'usewatch-fuzz-'));
  try {
    cpSync(tree, root, { recursive: true });
    const real = readFileSync(join(tree, rel), 'latin1');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: real.length }), fc.string({ unit: 'binary' }), async (cut, junk) => {
        writeFileSync(join(root, rel), real.slice(0, cut) + junk + real.slice(cut, cut + 40), 'latin1');
        const { reports } = await readOnce(makeCollector(), root);
        const report = reports.find((r) => r.source === rel);
        expect(report?.status === 'ok' || (report?.status === 'failed' && report.reason !== undefined)).toBe(true);
      }),
      { numRuns: 40 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
