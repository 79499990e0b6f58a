import { type Document, isScalar, LineCounter, parseDocument, visit } from 'yaml';

/**
 * Parsing an operator's YAML (the config file, checklists) so that a hostile or broken file costs
 * a bounded amount of time and memory and ends in problems with positions, never in a changed
 * prototype, an exception without the file's name, or a crashed process.
 */

/** Keys that would reach an object's prototype when written into a plain object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Deepest nesting of flow collections (`[`, `{`) accepted. yaml composes them recursively: about
 * 800 levels overflow its stack (reported), and some 100,000 crash Node outright while compiling a
 * regular expression near the stack's end, which no try/catch can hold.
 */
export const MAX_FLOW_DEPTH = 64;

/**
 * Problems reported per file at most: a file of garbage gives a screenful, not a line per item of
 * a megabyte (nor a stack overflow from pushing them all at once).
 */
export const MAX_PROBLEMS = 100;

/** Alias expansions accepted when turning a document into values (yaml's own guard against alias bombs). */
export const MAX_ALIAS_COUNT = 100;

export interface YamlProblem {
  /** Offset into the text; `lines.linePos` turns it into line and column. */
  offset: number;
  message: string;
}

export interface ParsedYaml {
  /** Undefined when the text was refused before parsing (nesting too deep). */
  doc: Document | undefined;
  lines: LineCounter;
  problems: YamlProblem[];
}

/**
 * Parses and checks a document: syntax, duplicate keys and forbidden keys. Duplicate keys are
 * found here with one set per mapping because yaml's own check compares every pair of keys: a
 * 800 KB file of distinct keys took 32 s with it, 2 s without.
 */
export function parseYamlInput(text: string): ParsedYaml {
  const lines = new LineCounter();
  const tooDeep = flowDepthExceeded(text);
  if (tooDeep !== undefined) {
    // Line starts up to the refused bracket, as the parser would have counted them.
    lines.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < tooDeep; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
    return {
      doc: undefined,
      lines,
      problems: [{ offset: tooDeep, message: `nesting deeper than ${MAX_FLOW_DEPTH} levels of [ and {` }],
    };
  }
  // yaml makes an Error per problem; their stack traces were half of the 7 s a megabyte of garbage
  // took to parse, and no one reads them. parseDocument is synchronous: nothing else runs meanwhile.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const problems: YamlProblem[] = doc.errors.slice(0, MAX_PROBLEMS).map((e) => ({
    offset: e.pos[0],
    message: `${e.code}: ${firstLine(e.message)}`,
  }));
  if (doc.errors.length > MAX_PROBLEMS) {
    problems.push({
      offset: doc.errors[MAX_PROBLEMS].pos[0],
      message: `${doc.errors.length - MAX_PROBLEMS} more error(s) not shown`,
    });
  }
  if (problems.length > 0) return { doc, lines, problems };
  visit(doc, {
    Map(_, map) {
      if (problems.length >= MAX_PROBLEMS) return visit.BREAK;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = pair.key.value;
        const offset = pair.key.range?.[0] ?? 0;
        if (typeof key === 'string' && FORBIDDEN_KEYS.has(key)) {
          problems.push({ offset, message: `"${key}" is not allowed as a key` });
        } else if (seen.has(key)) {
          problems.push({ offset, message: 'DUPLICATE_KEY: Map keys must be unique' });
        }
        seen.add(key);
      }
    },
  });
  return { doc, lines, problems };
}

/** The document's values, or a problem at the first alias when they would take too many expansions. */
export function yamlValues(doc: Document): { value: unknown } | { problem: YamlProblem } {
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    let offset = 0;
    visit(doc, {
      Alias(_, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    // yaml throws a ReferenceError past maxAliasCount; anything else (a stack overflow) is reported as it is.
    const what =
      err instanceof ReferenceError
        ? `more than ${MAX_ALIAS_COUNT} alias expansions (an alias bomb?)`
        : (err as Error).message;
    return { problem: { offset, message: `cannot expand the document: ${what}` } };
  }
}

/** Where flow nesting first goes past MAX_FLOW_DEPTH; quotes and comments are not told apart, which only over-counts. */
function flowDepthExceeded(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl);
}
