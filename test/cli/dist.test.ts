import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseCatalogue } from '../../obligations/load';

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

  it('carries the bundled catalogue validated at build time, so `deadlines list` loads neither YAML nor zod; a changed catalogue is validated as before', async () => {
    await buildDist();
    const yamlPath = path.join(root, 'obligations', 'catalogue.yaml');
    const text = await readFile(yamlPath, 'utf8');
    const precompiled = require(path.join(dist, 'obligations', 'precompiled.js')) as typeof import('../../obligations/precompiled');
    const parsed = parseCatalogue(text);
    assert.ok(parsed.ok);
    assert.deepEqual(precompiled.readPrecompiledCatalogue(text), parsed.catalogue);
    assert.equal(precompiled.readPrecompiledCatalogue(text.replace('version:', 'version: ') + '\n'), undefined);
    // Which packages a `deadlines list` run loads, listed at exit on stderr.
    const probe = `process.argv = [process.argv[0], 'firebreak', 'deadlines', 'list'];
      process.on('exit', () => process.stderr.write(JSON.stringify(Object.keys(require.cache))));
      require(${JSON.stringify(path.join(dist, 'cli', 'main.js'))});`;
    const listed = await run(process.execPath, ['-e', probe], { cwd: root });
    assert.match(listed.stdout, /^gdpr-art33-sa /m);
    const loaded = JSON.parse(listed.stderr) as string[];
    assert.deepEqual(loaded.filter((file) => /node_modules\/(zod|yaml|date-holidays|luxon)\//.test(file)), []);
    // The same catalogue under another name is parsed and validated, with the same result.
    const copy = path.join(await mkdtemp(path.join(tmpdir(), 'firebreak-catalogue-')), 'catalogue.yaml');
    await writeFile(copy, text);
    const fromCopy = await run(process.execPath, [path.join(dist, 'cli', 'main.js'), 'deadlines', 'list', '--catalogue', copy], { cwd: root });
    assert.equal(fromCopy.stdout, listed.stdout);
    await writeFile(copy, text.replace(/^version: .*$/m, 'version: [not, a, version]'));
    await assert.rejects(run(process.execPath, [path.join(dist, 'cli', 'main.js'), 'deadlines', 'list', '--catalogue', copy], { cwd: root }), /schema\.invalid/);
    await rm(path.dirname(copy), { recursive: true, force: true });
  });
});
