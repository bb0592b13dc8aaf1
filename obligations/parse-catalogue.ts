import { parseLocatedYaml } from '../shared/source-issue';
import type { ObligationIssue } from './issues';
import { Catalogue } from './schema';
import { checkCatalogue } from './validate';

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
