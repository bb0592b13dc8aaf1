import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FirebreakUnderTest, eventually } from '../helpers/firebreak';

const run = promisify(execFile);
const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');

describe('the firebreak CLI drives an incident through the HTTP API', function () {
  this.timeout(120_000);
  let fb: FirebreakUnderTest;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    fb = await FirebreakUnderTest.start();
    // Like a user on the same machine: the CLI finds the admin token and signing secret in the data dir itself.
    env = { ...process.env, FIREBREAK_URL: fb.baseUrl, FIREBREAK_DATA_DIR: fb.dataDir, FIREBREAK_TOKEN: '', FIREBREAK_WEBHOOK_SECRET: '' };
    delete env.FIREBREAK_TOKEN;
    delete env.FIREBREAK_WEBHOOK_SECRET;
  });
  after(async () => fb?.stop());

  const cli = async (...args: string[]) => (await run(process.execPath, [cliPath, ...args], { env })).stdout;

  it('sends the example alert, lists it, approves it and the notice is written', async () => {
    const sent = await cli('alert', 'send', '--example');
    const id = /accepted: (incident\/generic\/[0-9a-f]+)/.exec(sent)?.[1];
    assert.ok(id, sent);

    const listed = JSON.parse(await cli('incidents', '--json')) as { incidents: { id: string }[] };
    assert.ok(listed.incidents.some((i) => i.id === id));

    await eventually(async () => {
      const shown = JSON.parse(await cli('incident', id!, '--json')) as { steps: { id: string; state: string }[] };
      return shown.steps.some((s) => s.id === 'approve-notice' && s.state === 'waiting') ? true : undefined;
    });
    const human = await cli('incident', id!);
    assert.match(human, /waiting for approval:\n {2}approve-notice: role approve-disclosure/);

    const approved = await cli('approve', id!, 'approve-notice', '--reason', 'checked the alert');
    assert.match(approved, /step is now approved/);
    await eventually(async () => (JSON.parse(await cli('incident', id!, '--json')).phase === 'completed' ? true : undefined));
    assert.equal(readdirSync(path.join(fb.dataDir, 'outbox')).filter((f) => f.endsWith('.eml')).length, 1);
  });

  it('exits non-zero with the refusal code when a decision is refused', async () => {
    const sent = await cli('alert', 'send', '--example');
    const id = /accepted: (\S+)/.exec(sent)![1]!;
    await eventually(async () => (JSON.parse(await cli('incident', id, '--json')).steps.some((s: { id: string; state: string }) => s.id === 'approve-notice' && s.state === 'waiting') ? true : undefined));
    await assert.rejects(run(process.execPath, [cliPath, 'approve', id, 'no-such-step', '--reason', 'x'], { env }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /step\.not_waiting/);
      return true;
    });
  });

  it('says which URL it could not reach', async () => {
    await assert.rejects(run(process.execPath, [cliPath, 'incidents'], { env: { ...env, FIREBREAK_URL: 'http://127.0.0.1:9' } }), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /127\.0\.0\.1:9/);
      return true;
    });
  });
});
