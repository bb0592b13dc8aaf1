import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { RunbookIssue } from './issues';

/** Maps a path inside the document to the 1-based line and column of the value there (or the nearest ancestor that exists). */
export type Locate = (path: readonly (string | number)[]) => { line: number; column: number } | undefined;

export interface YamlLimits {
  /** Larger files are refused before parsing. */
  maxBytes: number;
  /** Alias expansions allowed while building the value; a "billion laughs" document exceeds it. */
  maxAliasCount: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 256 * 1024, maxAliasCount: 100 };

export type YamlSource = { ok: true; value: unknown; locate: Locate } | { ok: false; issues: RunbookIssue[] };

/**
 * Parses one YAML document with duplicate keys refused and alias expansion bounded.
 * Returns every syntax problem, each with its line and column.
 */
export function parseYamlSource(text: string, byteLength: number, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlSource {
  if (byteLength > limits.maxBytes) {
    return { ok: false, issues: [{ code: 'yaml.too_large', message: `the file is ${byteLength} bytes; the limit is ${limits.maxBytes}`, path: [] }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => ({
        code: error.code === 'DUPLICATE_KEY' ? 'yaml.duplicate_key' : 'yaml.syntax',
        message: error.message.split('\n')[0] ?? error.code,
        path: [],
        ...at(error.pos[0]),
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    // yaml throws a ReferenceError when alias expansion passes maxAliasCount.
    const message = error instanceof Error ? error.message : String(error);
    const code = /alias/i.test(message) ? 'yaml.alias_limit' : 'yaml.syntax';
    return { ok: false, issues: [{ code, message, path: [] }] };
  }
  return { ok: true, value, locate: (path) => locateNode(doc, path, at) };
}

function locateNode(
  doc: Document,
  path: readonly (string | number)[],
  at: (offset: number) => { line: number; column: number },
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  for (const segment of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      // A key with no value (`with:`) is located at the key itself.
      const empty = pair.value === null || (isScalar(pair.value) && pair.value.range?.[0] === pair.value.range?.[1]);
      next = empty ? pair.key : pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    } else {
      break;
    }
    if (!isNode(next)) break;
    node = next;
    best = next;
  }
  const offset = best?.range?.[0];
  return offset === undefined ? undefined : at(offset);
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value) || (typeof value === 'object' && value !== null && 'range' in value);
}
