import assert from 'node:assert/strict';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { RunbookCatalog } from '../../ingress/runbook-catalog';
import { tempDir, testLog } from '../helpers/temporal';

const runbook = (version: number): string =>
  toYaml({ id: 'throttled', version, title: 'Throttled', steps: [{ id: 'hold', action: 'noop', with: { note: `v${version}` } }] });

/** Writes the runbook and moves its mtime forward, so the edit is visible even on a coarse-grained file system. */
function edit(file: string, version: number): void {
  writeFileSync(file, runbook(version));
  const later = new Date(Date.now() + version * 1000);
  utimesSync(file, later, later);
}

describe('runbook catalog', () => {
  let dir: string;
  let file: string;
  let now: number;
  let catalog: RunbookCatalog;
  const versions = async (): Promise<number[]> => (await catalog.runbooks()).map((p) => p.runbook.version);

  beforeEach(() => {
    dir = tempDir('catalog');
    file = path.join(dir, 'throttled.yaml');
    edit(file, 1);
    now = 1_000_000;
    catalog = new RunbookCatalog(dir, testLog, { clock: () => now });
  });

  it('looks at the directory at most once a second, and sees an edit once that second is up', async () => {
    assert.deepEqual(await versions(), [1]);
    edit(file, 2);
    now += 999;
    assert.deepEqual(await versions(), [1], 'still within the second of the last look');
    now += 1;
    assert.deepEqual(await versions(), [2]);
  });

  it('shares one look among concurrent callers', async () => {
    const all = await Promise.all([catalog.runbooks(), catalog.runbooks(), catalog.runbooks()]);
    assert.ok(all.every((runbooks) => runbooks === all[0]));
  });

  it('looks again on the next call after a look that failed', async () => {
    rmSync(dir, { recursive: true });
    await assert.rejects(catalog.runbooks(), { code: 'ENOENT' });
    mkdirSync(dir);
    edit(file, 3);
    assert.deepEqual(await versions(), [3], 'no time has passed, yet the failed look did not count');
  });
});
