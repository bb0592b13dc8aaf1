import assert from 'node:assert/strict';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, U, alertIncident, messageFor, startSlackHarness } from './support';

describe('slack: /incident status and list follow the read policy', function () {
  this.timeout(120_000);
  let h: SlackHarness;
  before(async () => {
    h = await startSlackHarness();
  });
  after(async () => h?.stop());

  async function ask(user: string, text: string): Promise<string> {
    const responseUrl = h.slack.responseUrl();
    const id = responseUrl.split('/').pop()!;
    assert.equal((await h.sender.command(user, text, { response_url: responseUrl })).status, 200);
    const answer = await eventually(async () => h.slack.responses.find((r) => r.id === id), 20_000, `answer to ${text}`);
    return String(answer.body.text);
  }

  it('shows the incident to a holder of its runbook role and refuses someone with none, with the policy code', async () => {
    const incidentId = await alertIncident(h, 'Slack read policy');
    await messageFor(h, `${incidentId}/status`);
    assert.match(await ask(U.lena, `status ${incidentId}`), /Slack read policy/);
    const refused = await ask(U.olga, `status ${incidentId}`);
    assert.match(refused, /access\.not_a_viewer/);
    assert.doesNotMatch(refused, /Slack read policy/);
    assert.match(await ask(U.lena, 'list'), new RegExp(incidentId));
    assert.doesNotMatch(await ask(U.olga, 'list'), new RegExp(incidentId));
  });
});
