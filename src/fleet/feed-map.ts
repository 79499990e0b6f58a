import { isMap, isPair, isScalar, type Node } from 'yaml';
import { readInputText } from '../config/input-file.js';
import { parseYamlInput, type YamlProblem } from '../config/yaml-input.js';
import { feedUrl } from '../feed/client.js';

function at(problem: YamlProblem, lines: ReturnType<typeof parseYamlInput>['lines'], file: string): string {
  const { line, col } = lines.linePos(problem.offset);
  return `${file}:${line}:${col}: ${problem.message}`;
}

function offsetOf(node: unknown): number {
  return (node as Node | undefined)?.range?.[0] ?? 0;
}

/**
 * A `--feed-map` file: a YAML mapping of host (as in the target's `instance` label) to its feed URL
 * (ws://, wss://, http:// or https://; `/feed` is added when the path is empty). Pure; every
 * problem is reported at file:line:col.
 */
export function parseFeedMap(text: string, file: string): ReadonlyMap<string, string> {
  const { doc, lines, problems } = parseYamlInput(text);
  const map = new Map<string, string>();
  if (doc && problems.length === 0) {
    if (doc.contents !== null && !isMap(doc.contents)) {
      problems.push({ offset: offsetOf(doc.contents), message: 'expected a mapping of host: feed URL' });
    }
    for (const pair of isMap(doc.contents) ? doc.contents.items : []) {
      if (!isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value) || typeof pair.value.value !== 'string') {
        problems.push({
          offset: offsetOf(isPair(pair) ? (pair.value ?? pair.key) : pair),
          message: 'expected host: URL',
        });
        continue;
      }
      try {
        map.set(String(pair.key.value), feedUrl(pair.value.value).toString());
      } catch (err) {
        problems.push({ offset: offsetOf(pair.value), message: (err as Error).message });
      }
    }
  }
  if (problems.length > 0) throw new Error(problems.map((p) => at(p, lines, file)).join('\n'));
  return map;
}

export async function readFeedMap(file: string): Promise<ReadonlyMap<string, string>> {
  return parseFeedMap(await readInputText(file), file);
}
