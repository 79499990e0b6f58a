/**
 * Instance patterns of checklist overrides: `*` matches any run of characters (empty too), `?`
 * exactly one, everything else itself. Matched without regular expressions: a pattern such as
 * `**********x` compiled to a backtracking regex took exponential time in the instance's length,
 * and the evaluator matches every override against every instance on every tick.
 *
 * The pattern is cut at its stars into literal pieces. The first piece must start the instance,
 * the last must end it, and each piece between is taken at its leftmost place after the previous
 * one: leftmost is never worse, since a star can absorb whatever lies before a later place. Each
 * piece is looked for once, so a match costs at most (instance length × pattern length) character
 * comparisons, linear in the instance for a pattern within MAX_PATTERN_LENGTH.
 */

/** Longest instance pattern accepted, in characters (instance names are short: devices, mounts, NICs). */
export const MAX_PATTERN_LENGTH = 256;

export type GlobMatcher = (text: string) => boolean;

/** True when the pattern has glob characters; without them it matches only itself. */
export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Compiles a pattern into a matcher; any length compiles, the schema refuses those over the limit. */
export function compileGlob(pattern: string): GlobMatcher {
  if (!isGlob(pattern)) return (text) => text === pattern;
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (text) => text.length === pattern.length && pieceAt(text, 0, pattern);
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter((p) => p.length > 0);
  const fixed = first.length + last.length + middle.reduce((sum, p) => sum + p.length, 0);
  return (text) => {
    if (text.length < fixed) return false;
    const end = text.length - last.length;
    if (!pieceAt(text, 0, first) || !pieceAt(text, end, last)) return false;
    let from = first.length;
    for (const piece of middle) {
      const at = findPiece(text, piece, from, end);
      if (at < 0) return false;
      from = at + piece.length;
    }
    return true;
  };
}

/** Whether `piece` (with `?` for any one character) matches `text` at `at`. */
function pieceAt(text: string, at: number, piece: string): boolean {
  for (let i = 0; i < piece.length; i++) {
    const p = piece.charCodeAt(i);
    if (p !== 0x3f && p !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost place in [from, end - piece.length] where the piece matches; -1 when there is none. */
function findPiece(text: string, piece: string, from: number, end: number): number {
  if (!piece.includes('?')) {
    const at = text.indexOf(piece, from);
    return at >= 0 && at + piece.length <= end ? at : -1;
  }
  for (let at = from; at + piece.length <= end; at++) if (pieceAt(text, at, piece)) return at;
  return -1;
}
