import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..');

/** The rule ids and messages ESLint reports for `code` as if it were the file at `file` (relative to the repo). */
async function lint(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

/*
 * The layer map is enforced by eslint.config.mjs (`npm run lint`, run by `npm test` before mocha). Each case lints a
 * deliberate violation as a file in that folder, through ESLint's Node API, and expects the linter to refuse it.
 */
describe('the linter fences the workflow sandbox and the layers', function () {
  this.timeout(60_000);

  it('refuses Node built-ins, I/O libraries, zod and other SDK packages in workflow code', async () => {
    for (const line of [
      "import { readFileSync } from 'node:fs';",
      "import { createHash } from 'crypto';",
      "import { z } from 'zod';",
      "import nodemailer from 'nodemailer';",
      "import { Client } from '@temporalio/client';",
      "import { msToNumber } from '@temporalio/common/lib/time';",
    ]) {
      const problems = await lint('workflows/incident/lint-probe.ts', `${line}\nexport const x = 1;\n`);
      assert.equal(problems.length, 1, `${line}: ${problems.join('; ')}`);
      assert.match(problems[0]!, /^@typescript-eslint\/no-restricted-imports: /);
    }
  });

  it('lets workflow code use @temporalio/workflow and @temporalio/common, and only the types of activities and messages', async () => {
    const clean = [
      "import { proxyActivities, sleep } from '@temporalio/workflow';",
      "import type { Duration } from '@temporalio/common';",
      "import type { Activities } from '../../activities';",
      "import type { DecisionRequest } from './messages';",
      "import { decideUpdate } from './definitions';",
    ].join('\n');
    assert.deepEqual(await lint('workflows/incident/lint-probe.ts', `${clean}\nexport const x = 1;\n`), []);
    assert.equal((await lint('workflows/incident/lint-probe.ts', "import { createActivities } from '../../activities';\n")).length, 1);
    assert.equal((await lint('workflows/incident/lint-probe.ts', "import { DecisionRequest } from './messages';\n")).length, 1);
  });

  it('refuses worker/ below the entry points, and lets every layer take Logger and Secret from shared/', async () => {
    assert.match((await lint('ingress/api/lint-probe.ts', "import type { Logger } from '../../worker/logging';\n"))[0] ?? '', /only entry points import worker/);
    assert.match((await lint('activities/slack/lint-probe.ts', "import { loadConfig } from '../../worker/config';\n"))[0] ?? '', /only entry points import worker/);
    assert.deepEqual(await lint('ingress/api/lint-probe.ts', "import type { Logger } from '../../shared/logger';\nimport { Secret } from '../../shared/secret';\n"), []);
    assert.match((await lint('shared/lint-probe.ts', "import type { Actor } from '../workflows/incident/messages';\n"))[0] ?? '', /neutral bottom layer/);
  });

  it('keeps the CLI an HTTP client: ingress and worker types only', async () => {
    assert.match((await lint('cli/commands/lint-probe.ts', "import { createIncidentClient } from '../../ingress/incident-client';\n"))[0] ?? '', /talks HTTP only/);
    assert.deepEqual(await lint('cli/commands/lint-probe.ts', "import type { IncidentListing } from '../../ingress/incident-client';\n"), []);
  });
});
