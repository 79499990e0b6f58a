/**
 * Names that reach a terminal or a text report come from processes and recordings we do not control
 * (comm, cmdline, cgroup and instance names, kernel log records, a remote feed or a recorded file).
 * Every text output passes them through `sanitize`, so a hostile name can never move the cursor,
 * recolour the screen, set a window title, reorder the line or start a new one.
 */

// CSI, OSC (ended by BEL or ST), DCS/SOS/PM/APC strings, and two-byte escapes (7-bit), and the
// 8-bit CSI. Whatever of a sequence is not matched here is left to UNSAFE_CHARACTER.
const ESCAPE_SEQUENCE =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -~]?)|\x9b[0-?]*[ -/]*[@-~]?/g;
// C0 controls (newline and tab included), DEL, C1 controls, bidi embeddings, overrides and isolates,
// the line and paragraph separators, and lone UTF-16 surrogates (what invalid UTF-8 and a JSON
// "\ud800" become; a terminal prints them as garbage or not at all).
const UNSAFE_CHARACTER =
  /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Anything that may need work: a cheap test that lets ordinary names through untouched.
const SUSPECT = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]/;

/**
 * Removes escape sequences and replaces every other unsafe character by '?' (or by what `replace`
 * makes of it): the text is inert on a terminal and stays one line.
 */
export function sanitize(text: string, replace: (unsafe: string) => string = () => '?'): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(ESCAPE_SEQUENCE, '').replace(UNSAFE_CHARACTER, replace);
}

/**
 * A copy of plain data (arrays, plain objects) with every string in it, object keys included,
 * sanitised: for a report rendered from data that may hold hostile names anywhere. Anything else
 * (class instances, functions) is passed through as it is.
 */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitize(value) as T;
  if (Array.isArray(value)) return value.map(sanitizeDeep) as T;
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  // Keys are copied as own properties: a key "__proto__" assigned would set the copy's prototype.
  const entries = Object.entries(value).map(([key, v]) => [sanitize(key), sanitizeDeep(v)]);
  return Object.fromEntries(entries) as T;
}

// What JSON.stringify leaves raw inside strings although a terminal acts on it: DEL, C1 controls,
// bidi controls, line separators and lone surrogates (C0 controls are always escaped).
const RAW_IN_JSON =
  /[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SUSPECT_IN_JSON = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]/;

/**
 * The same JSON text with those characters written as `\uXXXX` escapes: it parses to the same
 * value, and shown as it is (`journalctl`, `tail -f`) it is inert. They can only occur inside
 * strings, so escaping them is always valid.
 */
export function inertJson(json: string): string {
  if (!SUSPECT_IN_JSON.test(json)) return json;
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
