import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const fixture = path.join(__dirname, '../fixtures/bench/starts-servers.ts');

// A zombie (exited, not yet reaped by a container's init) no longer runs: it counts as stopped.
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function runFixture(mode: 'fail' | 'wait', signal?: NodeJS.Signals): Promise<{ pids: number[]; code: number | null }> {
  // node directly (not the tsx wrapper), so the signal reaches the bench process itself, as `kill <pid>` would.
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', () => reject(new Error('fixture exited before starting its servers')));
  });
  const { pids } = JSON.parse(firstLine) as { pids: number[] };
  if (signal) child.kill(signal);
  return { pids, code: await exited };
}

describe('bench runner stops what it started (issue 20)', function () {
  this.timeout(120_000);

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`on ${signal}: the dev server and other children are gone when it exits`, async () => {
      const { pids, code: exitCode } = await runFixture('wait', signal);
      assert.ok(pids.length >= 2, `expected a dev server and a child, saw ${pids.length} processes`);
      assert.equal(exitCode, code);
      assert.deepEqual(pids.filter(running), []);
    });
  }

  it('when the run fails: exit code 1 and nothing left running', async () => {
    const { pids, code } = await runFixture('fail');
    assert.ok(pids.length >= 2);
    assert.equal(code, 1);
    assert.deepEqual(pids.filter(running), []);
  });
});
