/* eslint-disable @typescript-eslint/no-require-imports -- the parser (yaml, zod, date-holidays) loads only when needed */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogueValidationError } from './issues';
import type { LoadResult } from './parse-catalogue';
import { readPrecompiledCatalogue } from './precompiled';
import type { Catalogue } from './schema';

export type { LoadResult } from './parse-catalogue';

/** Where the shipped catalogue lives. */
export const BUNDLED_CATALOGUE_PATH = join(__dirname, 'catalogue.yaml');

/**
 * Parses and validates catalogue text. Never throws: every problem (YAML syntax, schema, cross-field)
 * comes back at once with its code, path, line and column.
 */
export function parseCatalogue(text: string): LoadResult {
  return (require('./parse-catalogue') as typeof import('./parse-catalogue')).parseCatalogue(text);
}

/**
 * Reads and validates a catalogue file. Throws `CatalogueValidationError` with every issue found. The bundled
 * catalogue, unchanged since dist/ was built, comes validated from the build.
 */
export function loadCatalogueFile(file: string = BUNDLED_CATALOGUE_PATH): Catalogue {
  const text = readFileSync(file, 'utf8');
  const precompiled = file === BUNDLED_CATALOGUE_PATH ? readPrecompiledCatalogue(text) : undefined;
  if (precompiled) return precompiled;
  const result = parseCatalogue(text);
  if (!result.ok) throw new CatalogueValidationError(file, result.issues);
  return result.catalogue;
}
