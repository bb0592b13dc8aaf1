import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS beside the bin script
const { buildDist, distIsFresh, dist } = require('../../bin/dist.js') as { buildDist(): Promise<void>; distIsFresh(): boolean; dist: string };
const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

describe('the compiled copy the firebreak command runs (dist/)', function () {
  this.timeout(120_000);

  it('is fresh once built, and answers like the TypeScript sources, files beside the sources included', async () => {
    await buildDist();
    // Another helper's edit between the build and this check would make it stale: that is the check working.
    assert.equal(distIsFresh(), true);
    const compiled = await run(process.execPath, [path.join(dist, 'cli', 'main.js'), 'deadlines', 'list', '--json'], { cwd: root });
    const sources = await run(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'cli', 'main.ts'), 'deadlines', 'list', '--json'], { cwd: root });
    // The catalogue is read from obligations/catalogue.yaml beside the source, not from dist/.
    assert.ok((JSON.parse(compiled.stdout) as { obligations: unknown[] }).obligations.length > 0);
    assert.equal(compiled.stdout, sources.stdout);
    const validated = await run(process.execPath, [path.join(dist, 'cli', 'main.js'), 'runbook', 'validate'], { cwd: root });
    assert.match(validated.stdout, /runbooks\/library\//);
  });
});
