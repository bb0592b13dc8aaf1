import { type Document, LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';

/**
 * One problem in a source file (a runbook, the obligations catalogue, a notice template): a stable dotted `code`,
 * the `path` inside the document, and the 1-based line and column when the path (or its nearest existing ancestor)
 * is in the source. Each kind of file narrows `Code` to its own frozen list.
 */
export interface SourceIssue<Code extends string = string> {
  code: Code;
  message: string;
  path: (string | number)[];
  line?: number;
  column?: number;
}

/**
 * Renders an issue the way a responder acts on it: `library/x.yaml:14:7 step.unknown_action: message (at steps.1.action)`.
 * Without a line the location is just the file.
 */
export function formatIssue(file: string, issue: SourceIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  const at = issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : '';
  return `${where} ${issue.code}: ${issue.message}${at}`;
}

export type Position = { line: number; column: number };

/**
 * Where a path points: `value` is the node at the path (its key when the value is empty, `with:`); `key` is the key
 * of the deepest map entry along the path, which is where an id or a name is read. Either way a path that does not
 * exist is located at its nearest existing ancestor.
 */
export type Locate = (path: readonly (string | number)[], at?: 'value' | 'key') => Position | undefined;

export interface LocatedYaml {
  doc: Document;
  /** Syntax errors with their positions; `duplicateKey` for yaml's DUPLICATE_KEY. */
  errors: { message: string; duplicateKey: boolean; line: number; column: number }[];
  locate: Locate;
}

/**
 * Parses YAML keeping line and column for every node. `firstLine` is the line the text starts on in its file (a
 * notice's front matter starts on line 2).
 */
export function parseLocatedYaml(text: string, options: { uniqueKeys?: boolean; firstLine?: number } = {}): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: options.uniqueKeys ?? true, prettyErrors: false });
  const shift = (options.firstLine ?? 1) - 1;
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + shift, column: col };
  };
  const errors = doc.errors.map((error) => ({ message: error.message.split('\n')[0] ?? error.code, duplicateKey: error.code === 'DUPLICATE_KEY', ...position(error.pos[0]) }));
  const locate: Locate = (path, at = 'value') => {
    const offset = locateOffset(doc, path, at);
    return offset === undefined ? undefined : position(offset);
  };
  return { doc, errors, locate };
}

function locateOffset(doc: Document, path: readonly (string | number)[], at: 'value' | 'key'): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      keyOffset = rangeStart(pair.key);
      // A key with no value (`with:`) is located at the key itself.
      const empty = pair.value === null || (isScalar(pair.value) && pair.value.range?.[0] === pair.value.range?.[1]);
      next = empty ? pair.key : pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    } else {
      break;
    }
    const start = rangeStart(next);
    if (start === undefined) break;
    node = next;
    offset = at === 'key' && keyOffset !== undefined ? keyOffset : start;
  }
  return offset;
}

const rangeStart = (node: unknown): number | undefined => (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];
