import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, U, alertIncident, ephemeralCode, startSlackHarness, status } from './support';

describe('slack: /incident run adds a runbook to an incident under way', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
    // The library reloads on change: the runbook to add arrives beside the drill.
    copyFileSync(path.join(__dirname, '..', 'fixtures', 'runbooks', 'add-runbook', 'extra-checks.yaml'), path.join(h.fb.dataDir, 'runbooks', 'extra-checks.yaml'));
  });
  after(async () => h?.stop());

  async function run(user: string, text: string): Promise<string> {
    const responseUrl = h.slack.responseUrl();
    const answer = await h.sender.command(user, text, { response_url: responseUrl });
    assert.equal(answer.status, 200);
    const reply = await eventually(async () => h.slack.responses.find((r) => responseUrl.endsWith(r.id)), 20_000, 'response_url reply');
    return String(reply.body.text);
  }

  it('starts the runbook for the incident commander, and tells anyone else why not, ephemerally', async () => {
    const id = await alertIncident(h, 'Run another runbook');
    await eventually(async () => ((await status(h.fb, id)).steps.some((s) => s.id === 'approve-notice' && s.state === 'waiting') ? true : undefined));

    const refused = await run(U.olga, `run ${id} extra-checks`);
    assert.equal(ephemeralCode(refused), 'approval.not_permitted', refused);

    const started = await run(U.cole, `run ${id} extra-checks`);
    assert.match(started, new RegExp(`${id}/run-extra-checks`));
    const s = await eventually(async () => {
      const current = await status(h.fb, id);
      return current.steps.some((step) => step.id === 'run-extra-checks' && step.state === 'running') ? current : undefined;
    });
    assert.ok(s.timeline.some((t) => t.event === 'runbook.added' && t.stepId === 'run-extra-checks'));

    const again = await run(U.cole, `run ${id} extra-checks`);
    assert.equal(ephemeralCode(again), 'runbook.already_running', again);
  });
});
