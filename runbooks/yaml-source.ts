import { parseLocatedYaml } from '../shared/source-issue';
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
  const { doc, errors, locate } = parseLocatedYaml(text);
  if (errors.length > 0) {
    return { ok: false, issues: errors.map(({ message, duplicateKey, line, column }) => ({ code: duplicateKey ? 'yaml.duplicate_key' : 'yaml.syntax', message, path: [], line, column })) };
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
  return { ok: true, value, locate: (path) => locate(path) };
}
