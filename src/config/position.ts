import { type Document, isMap, isNode, isPair, isScalar, type LineCounter, type Node } from 'yaml';

export interface SourcePosition {
  line: number;
  col: number;
}

/**
 * Where the value at `path` starts in a parsed YAML document (1-based line and column). When the
 * path does not exist (a missing key), the nearest existing ancestor is used; with `key` true, the
 * position of the key itself is given (for an unknown key).
 */
export function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  key = false,
): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let at: Node | undefined = isNode(node) ? node : undefined;
  for (const segment of path) {
    if (!isNode(node)) break;
    const next = childOf(node, segment, key && segment === path[path.length - 1]);
    if (next === undefined) break;
    node = next;
    at = next;
  }
  const offset = at?.range?.[0];
  if (offset === undefined) return undefined;
  return lineCounter.linePos(offset);
}

function childOf(node: Node, segment: PropertyKey, wantKey: boolean): Node | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = isScalar(item.key) ? item.key.value : item.key;
      if (String(k) !== String(segment)) continue;
      if (wantKey && isNode(item.key)) return item.key;
      return isNode(item.value) ? item.value : isNode(item.key) ? item.key : undefined;
    }
    return undefined;
  }
  // Sequence indexes come as numbers, or as digits from paths joined into strings.
  const index =
    typeof segment === 'number'
      ? segment
      : typeof segment === 'string' && /^\d+$/.test(segment)
        ? Number(segment)
        : undefined;
  if ('items' in node && Array.isArray(node.items) && index !== undefined) {
    const child = node.items[index];
    return isNode(child) ? child : undefined;
  }
  return undefined;
}
