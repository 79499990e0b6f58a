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
 * `name{a="x",b="y"}`: each label name with the value at its position, in that order. A label whose
 * value is undefined is left out; no braces when none is left.
 */
export function seriesName(name: string, labels: readonly string[], values: readonly (string | undefined)[]): string {
  let out = name;
  let sep = '{';
  for (let i = 0; i < labels.length; i++) {
    const value = values[i];
    if (value === undefined) continue;
    out += `${sep}${labels[i]}="${escapeLabelValue(value)}"`;
    sep = ',';
  }
  return sep === '{' ? name : `${out}}`;
}

/** The start of a sample's line as UTF-8: a line feed, the series name and a space; the value follows. */
export function sampleStart(
  name: string,
  labels: readonly string[],
  values: readonly (string | undefined)[],
): Uint8Array {
  return Buffer.from(`\n${seriesName(name, labels, values)} `, 'utf8');
}

const LF = 0x0a;
/** Room for a body of a small host (about 45 KB on a 2-CPU VM) and its growth, without a reallocation. */
const INITIAL_BYTES = 64 * 1024;

/**
 * An exposition body written as UTF-8 straight into one buffer, kept from body to body and grown
 * when a body outgrows it. Families write bytes they encoded once (headers, series names) and their
 * values' text, so a render makes no text of its own beyond the values that moved; each body is
 * copied out once, when done.
 */
export class ExpositionWriter {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private at = 0;

  /** Bytes written so far: where a family about to start begins, for `truncate`. */
  get length(): number {
    return this.at;
  }

  /** Starts a family with its header (the HELP and TYPE lines as UTF-8), after an empty line if it is not the first. */
  family(header: Uint8Array): void {
    if (this.at > 0) {
      this.room(2);
      this.buf[this.at++] = LF;
      this.buf[this.at++] = LF;
    }
    this.bytes(header);
  }

  bytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** Text of ASCII characters only, as a sample's value is. */
  ascii(text: string): void {
    this.room(text.length);
    this.at += this.buf.write(text, this.at, 'latin1');
  }

  /** Takes back what was written after `length` was `at`: a family left out after all. */
  truncate(at: number): void {
    this.at = Math.min(at, this.at);
  }

  /**
   * A body: what `write` writes, from the start of the buffer, and the final line feed, copied into
   * a buffer of its own.
   */
  body(write: (out: ExpositionWriter) => void): Buffer {
    this.at = 0;
    write(this);
    this.room(1);
    this.buf[this.at++] = LF;
    const body = Buffer.allocUnsafe(this.at);
    this.buf.copy(body, 0, 0, this.at);
    return body;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + bytes));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
  }
}
