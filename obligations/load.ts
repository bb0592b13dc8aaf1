import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLocatedYaml } from '../shared/source-issue';
import { CatalogueValidationError, type ObligationIssue } from './issues';
import { Catalogue } from './schema';
import { checkCatalogue } from './validate';

/** Where the shipped catalogue lives. */
export const BUNDLED_CATALOGUE_PATH = join(__dirname, 'catalogue.yaml');

export type LoadResult = { ok: true; catalogue: Catalogue } | { ok: false; issues: ObligationIssue[] };

/**
 * Parses and validates catalogue text. Never throws: every problem (YAML syntax, schema, cross-field)
 * comes back at once with its code, path, line and column. Cross-field checks run only when the
 * schema passes, because they rely on its shape.
 */
export function parseCatalogue(text: string): LoadResult {
  const { doc, errors, locate } = parseLocatedYaml(text);
  if (errors.length > 0) return { ok: false, issues: errors.map(({ message, line, column }) => ({ code: 'yaml.syntax', message, path: [], line, column })) };
  // An id or a name is read at its key, so issues point there rather than at the value.
  const at = (path: (string | number)[]) => locate(path, 'key') ?? {};
  const parsed = Catalogue.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        return { code: 'schema.invalid', message: issue.message, path, ...at(path) };
      }),
    };
  }
  const crossField = checkCatalogue(parsed.data);
  if (crossField.length > 0) {
    return { ok: false, issues: crossField.map((issue) => ({ ...issue, ...at(issue.path) })) };
  }
  return { ok: true, catalogue: parsed.data };
}

/** Reads and validates a catalogue file. Throws `CatalogueValidationError` with every issue found. */
export function loadCatalogueFile(file: string = BUNDLED_CATALOGUE_PATH): Catalogue {
  const result = parseCatalogue(readFileSync(file, 'utf8'));
  if (!result.ok) throw new CatalogueValidationError(file, result.issues);
  return result.catalogue;
}
