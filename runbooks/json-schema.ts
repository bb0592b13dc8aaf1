import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AuthoringRunbook } from './schema/authoring';

/** Where the checked-in schema lives; editors point `yaml.schemas` (or `# yaml-language-server: $schema=`) at it. */
export const RUNBOOK_JSON_SCHEMA_FILE = join(__dirname, 'runbook.schema.json');

/**
 * JSON Schema (draft 2020-12) for runbook files as people write them. It describes the shape only:
 * action inputs, roles, clocks, templates and CEL are checked by the loader.
 */
export function runbookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(AuthoringRunbook, { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: 'https://firebreak.dev/schemas/runbook.schema.json', title: 'Firebreak runbook' };
}

/** The schema as the exact text of the checked-in file (stable key order, trailing newline). */
export function runbookJsonSchemaText(): string {
  return `${JSON.stringify(runbookJsonSchema(), null, 2)}\n`;
}

/** Regenerates the checked-in schema file; run after changing the authoring schema. */
export async function writeRunbookJsonSchema(file: string = RUNBOOK_JSON_SCHEMA_FILE): Promise<void> {
  await writeFile(file, runbookJsonSchemaText());
}
