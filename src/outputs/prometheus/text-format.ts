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

/** Joins rendered families into an exposition body. */
export function exposition(families: readonly string[]): string {
  return `${families.join('\n\n')}\n`;
}
