import { hash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Catalogue } from './schema';

/*
 * The bundled catalogue as validated when dist/ was built (bin/dist.js), so a command run from dist/ reads one JSON
 * file instead of parsing the YAML and validating it with zod, date-holidays and luxon (most of `firebreak deadlines
 * list`'s start-up). dist/ runs only while the sources that validated it are unchanged; the YAML's hash and the Node
 * version (its time-zone data) must match too, else the caller validates as usual.
 */

interface Precompiled {
  sha256: string;
  node: string;
  catalogue: Catalogue;
}

const FILE = 'catalogue.compiled.json';

// `__filename`, not `__dirname` (which dist/ points back at the sources): the file sits beside the compiled module.
// Read only when this module is the compiled copy: from the sources, validation code may have changed since the build.
const here = __filename.endsWith('.js') ? dirname(__filename) : undefined;

const digest = (text: string): string => hash('sha256', text, 'hex');

export function readPrecompiledCatalogue(text: string): Catalogue | undefined {
  if (here === undefined) return undefined;
  let stored: Precompiled;
  try {
    stored = JSON.parse(readFileSync(join(here, FILE), 'utf8')) as Precompiled;
  } catch {
    return undefined;
  }
  return stored.sha256 === digest(text) && stored.node === process.version ? stored.catalogue : undefined;
}

/** Writes the validated catalogue into `outDir`, the compiled obligations folder of a dist/ build. */
export function writePrecompiledCatalogue(outDir: string, text: string, catalogue: Catalogue): void {
  const stored: Precompiled = { sha256: digest(text), node: process.version, catalogue };
  writeFileSync(join(outDir, FILE), JSON.stringify(stored));
}
