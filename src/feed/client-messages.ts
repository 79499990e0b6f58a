import { FRAME_SECTIONS, type FrameSection } from './protocol-base.js';

/**
 * The two messages a feed client may send, read without zod: the agent reads a handful of them per
 * connection, and zod with the schemas built on it would stay in the agent's memory for good. The
 * zod schemas of the same messages (protocol.ts) give docs/feed.schema.json; a test holds the two
 * to the same verdicts and words.
 */
export type ClientMessage = { type: 'subscribe'; sections: FrameSection[] } | { type: 'ping'; id?: string | number };

/** The longest ping id echoed back. */
const MAX_PING_ID = 64;
/** Problems named in one error message; the rest are left out. */
const MAX_ISSUES = 3;

type Read = { ok: true; message: ClientMessage } | { ok: false; error: string };

/** Parses one client text message; an error names what is wrong with it, ready for an `error` message. */
export function parseClientMessage(text: string): Read {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `Invalid input: expected object, received ${kindOf(value)}` };
  }
  const fields = value as Record<string, unknown>;
  if (fields.type === 'subscribe') return verdict(readSubscribe(fields), fields, ['type', 'sections']);
  if (fields.type === 'ping') return verdict(readPing(fields), fields, ['type', 'id']);
  return { ok: false, error: "type: Invalid discriminator value. Expected 'subscribe' | 'ping'" };
}

/** The message, or every problem with its fields and then its unknown keys, the first few told. */
function verdict(read: { message: ClientMessage; issues: string[] }, fields: object, known: string[]): Read {
  const unknown = Object.keys(fields).filter((k) => !known.includes(k));
  const issues = [...read.issues];
  if (unknown.length > 0) {
    issues.push(
      `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  }
  return issues.length === 0
    ? { ok: true, message: read.message }
    : { ok: false, error: issues.slice(0, MAX_ISSUES).join('; ') };
}

function readSubscribe(fields: Record<string, unknown>): { message: ClientMessage; issues: string[] } {
  const sections = fields.sections;
  if (!Array.isArray(sections)) {
    return {
      message: { type: 'subscribe', sections: [] },
      issues: [`sections: Invalid input: expected array, received ${kindOf(sections)}`],
    };
  }
  const issues: string[] = [];
  if (sections.length < 1) issues.push('sections: Too small: expected array to have >=1 items');
  if (sections.length > FRAME_SECTIONS.length) {
    issues.push(`sections: Too big: expected array to have <=${FRAME_SECTIONS.length} items`);
  }
  const expected = FRAME_SECTIONS.map((s) => JSON.stringify(s)).join('|');
  sections.forEach((s, i) => {
    if (!FRAME_SECTIONS.includes(s)) issues.push(`sections.${i}: Invalid option: expected one of ${expected}`);
  });
  return { message: { type: 'subscribe', sections: sections as FrameSection[] }, issues };
}

function readPing(fields: Record<string, unknown>): { message: ClientMessage; issues: string[] } {
  const id = fields.id;
  if (id === undefined) return { message: { type: 'ping' }, issues: [] };
  if (typeof id === 'number') return { message: { type: 'ping', id }, issues: [] };
  if (typeof id !== 'string') return { message: { type: 'ping' }, issues: ['id: Invalid input'] };
  const issues = id.length > MAX_PING_ID ? [`id: Too big: expected string to have <=${MAX_PING_ID} characters`] : [];
  return { message: { type: 'ping', id }, issues };
}

/** How zod names a JSON value's kind in its messages. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
