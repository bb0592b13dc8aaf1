import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { RUNBOOK_JSON_SCHEMA_FILE, runbookJsonSchema, runbookJsonSchemaText } from '../../runbooks/json-schema';

describe('runbook JSON Schema', () => {
  it('is current: the checked-in file matches the authoring schema (regenerate with `firebreak runbook schema --write`)', async () => {
    assert.equal(await readFile(RUNBOOK_JSON_SCHEMA_FILE, 'utf8'), runbookJsonSchemaText());
  });

  it('describes steps recursively with every step kind', () => {
    const schema = runbookJsonSchema() as { $defs: { Step: { anyOf: { properties: Record<string, unknown> }[] } }; required: string[] };
    assert.deepEqual(schema.required, ['id', 'version', 'title', 'steps']);
    const kinds = schema.$defs.Step.anyOf.map((variant) => Object.keys(variant.properties).find((key) => !['id', 'title'].includes(key)));
    assert.deepEqual(kinds, ['action', 'approval', 'input', 'wait', 'clock', 'runbook', 'parallel', 'when', 'steps']);
  });
});
