import assert from 'node:assert/strict';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, U, startSlackHarness } from './support';

/*
 * Slack shows the user an error and retries when a request is not answered within 3 s. Whatever the Slack Web API
 * does (refusing connections, hanging), a validly signed request is answered at once, and the failure reaches the
 * user later or is logged, never as an HTTP 500.
 */
describe('slack: every signed request is answered within 3 s whatever the Slack Web API does', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
  });
  after(async () => {
    h.slack.latencyMs = 0;
    await h?.stop();
  });

  it('answers a slash command when the Web API refuses connections, before Firebreak has ever reached it', async () => {
    h.slack.fail('auth.test', { drop: true }, { drop: true }, { drop: true });
    h.slack.fail('views.open', { drop: true });
    const answer = await h.sender.command(U.sam, 'declare');
    assert.ok(answer.status < 300, `status ${answer.status}: ${answer.body}`);
    assert.ok(answer.ms < 3000, `answered in ${Math.round(answer.ms)} ms`);
  });

  it('answers slash commands while every Web API call hangs, and opens the modal once the Web API answers again', async () => {
    h.slack.latencyMs = 10_000;
    const command = await h.sender.command(U.sam, 'help');
    assert.ok(command.status < 300, `status ${command.status}: ${command.body}`);
    assert.ok(command.ms < 3000, `answered in ${Math.round(command.ms)} ms`);
    const declare = await h.sender.command(U.sam, 'declare');
    assert.ok(declare.status < 300 && declare.ms < 3000, `declare: ${declare.status} in ${Math.round(declare.ms)} ms`);
    h.slack.latencyMs = 0;
    await eventually(async () => (h.slack.views.length > 0 ? true : undefined), 20_000);
  });
});
