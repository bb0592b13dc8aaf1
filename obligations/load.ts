import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCollection, LineCounter, parseDocument, type Document } from 'yaml';
import { CatalogueValidationError, type ObligationIssue } from './issues';
import { Catalogue } from './schema';
import { checkCatalogue } from './validate';

/** Where the shipped catalogue lives. */
export const BUNDLED_CATALOGUE_PATH = join(__dirname, 'catalogue.yaml');

export type LoadResult = { ok: true; catalogue: Catalogue } | { ok: false; issues: ObligationIssue[] };

/**
 * Maps a path to the line and column of the deepest node that exists along it, so a missing key
 * points at the object that lacks it.
 */
function locate(doc: Document, lineCounter: LineCounter, path: (string | number)[]): Pick<ObligationIssue, 'line' | 'column'> {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    const node = depth === 0 ? doc.contents : doc.getIn(prefix, true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) {
      // A map entry's key is more useful than its value when pointing at an id or a name.
      const keyOffset = keyOffsetOf(doc, prefix);
      const pos = lineCounter.linePos(keyOffset ?? range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

function keyOffsetOf(doc: Document, path: (string | number)[]): number | undefined {
  if (path.length === 0) return undefined;
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isCollection(parent)) return undefined;
  const last = path[path.length - 1];
  for (const item of parent.items) {
    const key = (item as { key?: { value?: unknown; range?: [number, number, number] } }).key;
    if (key?.range && key.value === last) return key.range[0];
  }
  return undefined;
}

/**
 * Parses and validates catalogue text. Never throws: every problem (YAML syntax, schema, cross-field)
 * comes back at once with its code, path, line and column. Cross-field checks run only when the
 * schema passes, because they rely on its shape.
 */
export function parseCatalogue(text: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return { code: 'yaml.syntax', message: error.message, path: [], line: pos.line, column: pos.col };
      }),
    };
  }
  const parsed = Catalogue.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        return { code: 'schema.invalid', message: issue.message, path, ...locate(doc, lineCounter, path) };
      }),
    };
  }
  const crossField = checkCatalogue(parsed.data);
  if (crossField.length > 0) {
    return { ok: false, issues: crossField.map((issue) => ({ ...issue, ...locate(doc, lineCounter, issue.path) })) };
  }
  return { ok: true, catalogue: parsed.data };
}

/** Reads and validates a catalogue file. Throws `CatalogueValidationError` with every issue found. */
export function loadCatalogueFile(file: string = BUNDLED_CATALOGUE_PATH): Catalogue {
  const result = parseCatalogue(readFileSync(file, 'utf8'));
  if (!result.ok) throw new CatalogueValidationError(file, result.issues);
  return result.catalogue;
}
