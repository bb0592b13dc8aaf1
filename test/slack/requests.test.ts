import assert from 'node:assert/strict';
import { ActionId } from '../../slack/action-ids';
import { sharedTemporal } from '../helpers/temporal';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, U, alertIncident, buttonValue, decide, ephemeralCode, ephemeralsFor, messageFor, startSlackHarness } from './support';
import { TcpProxy } from './tcp-proxy';

const errorOf = (body: string): string => (JSON.parse(body) as { error: string }).error;

describe('slack: inbound requests are verified before anything happens', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
  });
  after(async () => h?.stop());

  it('refuses a request signed with another secret', async () => {
    const answer = await h.sender.command(U.sam, 'help', {}).then(() => h.sender.post({ command: '/incident', text: 'help', user_id: U.sam, team_id: 'T0FIRE', api_app_id: 'A0FIRE' }, { secret: 'not-our-secret' }));
    assert.equal(answer.status, 401);
    assert.equal(errorOf(answer.body), 'slack.signature_invalid');
  });

  it('refuses a body changed after signing', async () => {
    const answer = await h.sender.post({ command: '/incident', text: 'help', user_id: U.sam, team_id: 'T0FIRE', api_app_id: 'A0FIRE' }, { tamper: (raw) => raw.replace('help', 'list') });
    assert.equal(answer.status, 401);
    assert.equal(errorOf(answer.body), 'slack.signature_invalid');
  });

  it('refuses a correctly signed request older than five minutes', async () => {
    const answer = await h.sender.post({ command: '/incident', text: 'help', user_id: U.sam, team_id: 'T0FIRE', api_app_id: 'A0FIRE' }, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    assert.equal(answer.status, 401);
    assert.equal(errorOf(answer.body), 'slack.signature_stale');
  });

  it('refuses a signed request from another workspace or app, and opens no modal', async () => {
    const views = h.slack.views.length;
    const foreignTeam = await h.sender.command(U.sam, 'declare', { team_id: 'T0OTHER' });
    const foreignApp = await h.sender.command(U.sam, 'declare', { api_app_id: 'A0OTHER' });
    assert.deepEqual([foreignTeam.status, foreignApp.status], [403, 403]);
    assert.equal(errorOf(foreignTeam.body), 'slack.foreign_workspace');
    assert.equal(h.slack.views.length, views);
  });

  it('refuses a forged approval click before any modal opens', async () => {
    const id = await alertIncident(h, 'Forged click');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    const views = h.slack.views.length;
    const payload = { type: 'block_actions', user: { id: U.lena, team_id: 'T0FIRE' }, trigger_id: 't', channel: { id: approval.channel }, actions: [{ type: 'button', action_id: ActionId.Approve, value: buttonValue(approval, ActionId.Approve) }] };
    const forged = await h.sender.interaction(payload, { secret: 'guess' });
    assert.equal(forged.status, 401);
    assert.equal(h.slack.views.length, views);
  });
});

describe('slack: listeners ack within Slack’s 3 seconds when Temporal is slow or down', function () {
  this.timeout(120_000);
  let h: SlackHarness;
  let proxy: TcpProxy;

  before(async () => {
    const address = (await sharedTemporal()).address;
    const [host, port] = address.split(':');
    proxy = new TcpProxy({ host: host!, port: Number(port) });
    h = await startSlackHarness({ address: await proxy.start(), temporalTimeoutMs: 1_500 });
  });
  after(async () => {
    await h?.fb.app.close();
    await h?.slack.stop();
  });

  it('acks a decision at once while Temporal is slow, tells the user it timed out, and takes the retry', async () => {
    const id = await alertIncident(h, 'Slow Temporal');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    await h.stopWorkerForTest();
    const seen = ephemeralsFor(h, U.lena).length;
    const { click, submit, view } = await decide(h, U.lena, approval, 'approve', 'while slow');
    assert.ok(click.ms < 1_000 && submit.ms < 1_000, `acks took ${click.ms} and ${submit.ms} ms`);
    const told = await eventually(async () => ephemeralsFor(h, U.lena).slice(seen)[0], 20_000, 'user told');
    assert.equal(ephemeralCode(told), 'temporal.timeout');
    await h.fb.startWorker();
    // Like a person would, submit again until it goes through: on a loaded machine the first retry can still time out.
    await eventually(async () => {
      const before = ephemeralsFor(h, U.lena).length;
      await h.sender.submit(U.lena, view, { reason: { reason: { type: 'plain_text_input', value: 'while slow' } } });
      const reply = await eventually(async () => ephemeralsFor(h, U.lena)[before], 10_000, 'a reply to the retry');
      return ephemeralCode(reply) === 'ok' ? reply : undefined;
    }, 60_000, 'retry accepted');
  });

  it('acks a status command at once while Temporal is down and tells the user through the response_url', async () => {
    const id = await alertIncident(h, 'Down Temporal');
    await h.stopWorkerForTest();
    await proxy.down();
    const responseUrl = h.slack.responseUrl();
    const answer = await h.sender.command(U.sam, `status ${id}`, { response_url: responseUrl });
    assert.equal(answer.status, 200);
    assert.ok(answer.ms < 1_000, `ack took ${answer.ms} ms`);
    const reply = await eventually(async () => h.slack.responses.find((r) => responseUrl.endsWith(r.id)), 20_000, 'response_url reply');
    assert.ok(['temporal.timeout', 'temporal.unavailable'].includes(ephemeralCode(String(reply.body.text))), String(reply.body.text));
  });
});
