/**
 * os-release(5): KEY=VALUE lines, values unquoted or in single or double quotes, with backslash
 * escapes inside double quotes; comments and blank lines skipped. Lines that are not assignments
 * are ignored rather than refused, as systemd does: the file is decoration for dashboards, and one
 * odd line must not hide the others.
 */
const ASSIGNMENT = /^([A-Z][A-Z0-9_]*)=(.*)$/;

export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = ASSIGNMENT.exec(line);
    if (m) out.set(m[1], unquote(m[2]));
  }
  return out;
}

function unquote(value: string): string {
  const q = value[0];
  if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
    const inner = value.slice(1, -1);
    return q === '"' ? inner.replace(/\\(.)/g, '$1') : inner;
  }
  return value;
}
