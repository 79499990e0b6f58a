/**
 * The Prometheus text exposition format, version 0.0.4: the pieces every family and the scrape
 * histogram are written with. A family is its `# HELP` and `# TYPE` lines followed by one line per
 * sample; families are separated by an empty line and the body ends with a line feed.
 */

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** HELP text escapes backslash and line feed (and nothing else: a double quote stays as it is). */
export function escapeHelp(text: string): string {
  if (text.indexOf('\\') < 0 && text.indexOf('\n') < 0) return text;
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

/** A label value escapes backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  if (value.indexOf('\\') < 0 && value.indexOf('\n') < 0 && value.indexOf('"') < 0) return value;
  return value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

/** A sample value as Go's ParseFloat reads it: `NaN`, `+Inf`, `-Inf`, otherwise JavaScript's shortest round-trip form. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return `${value}`;
}

/** The `# HELP` and `# TYPE` lines of a family, without a final line feed. */
export function familyHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}`;
}

/**
 * `name{a="x",b="y"}`, labels in insertion order; no braces for no labels or an empty set.
 * `for…in` rather than Object.entries: this runs for every sample of every scrape, and the entry
 * arrays would be most of the render's garbage.
 */
export function seriesName(name: string, labels: Readonly<Record<string, string>> | undefined): string {
  if (labels === undefined) return name;
  let out = name;
  let sep = '{';
  for (const key in labels) {
    out += `${sep}${key}="${escapeLabelValue(labels[key])}"`;
    sep = ',';
  }
  return sep === '{' ? name : `${out}}`;
}

/**
 * Rendered families as an exposition body, encoded as UTF-8 straight into one buffer: joined into
 * one string first, the body would be a copy of every family in the young generation, made for the
 * encoder alone.
 */
export function encodeExposition(families: readonly string[]): Buffer {
  let size = 2 * families.length - 1;
  for (let i = 0; i < families.length; i++) size += Buffer.byteLength(families[i], 'utf8');
  const body = Buffer.allocUnsafe(Math.max(size, 1));
  let at = 0;
  for (let i = 0; i < families.length; i++) {
    at += body.write(families[i], at, 'utf8');
    at += body.write(i < families.length - 1 ? '\n\n' : '\n', at, 'latin1');
  }
  return body;
}
