import assert from 'node:assert/strict';
import { channelSettingsFor, incidentChannelName } from '../../activities/slack/channel';
import { SlackConfig } from '../../worker/slack-config';
import { manifestBotScopes } from '../helpers/fake-slack';
import { type SlackHarness, alertIncident, messageFor, startSlackHarness } from './support';

const base = { botToken: 'env:X', signingSecret: 'env:Y', teamId: 'T0FIRE', appId: 'A0FIRE' };

describe('slack: incident channels are private and say nothing but severity and a short id', function () {
  this.timeout(120_000);

  it('defaults to a private channel named inc-<severity>-<short id>, with the title nowhere in the name', () => {
    const config = SlackConfig.parse(base);
    const settings = channelSettingsFor({ name: config.channelName, private: config.channelPrivate, runbooks: config.runbookChannels }, 'personal-data-breach');
    assert.equal(settings.private, true);
    const name = incidentChannelName(settings.name, { incidentId: 'incident/generic/0123456789abcdef0123456789abcdef', title: 'Payroll export leaked to pastebin', severity: 'critical', openedAt: new Date().toISOString() });
    assert.equal(name, 'inc-critical-89abcdef');
  });

  it('asks Slack for exactly the scopes private channels need (groups:write, groups:read, groups:history)', () => {
    const scopes = manifestBotScopes();
    for (const scope of ['groups:write', 'groups:read', 'groups:history']) assert.ok(scopes.has(scope), scope);
  });

  it('refuses a per-runbook override with an unknown key', () => {
    assert.equal(SlackConfig.safeParse({ ...base, runbookChannels: { drill: { public: true } } }).success, false);
  });

  describe('with Slack', () => {
    let h: SlackHarness | undefined;
    afterEach(async () => {
      await h?.stop();
      h = undefined;
    });

    it('creates the incident channel private (is_private, groups:write) and invites the responders into it', async () => {
      h = await startSlackHarness();
      const incidentId = await alertIncident(h, 'Customer database copied');
      const status = await messageFor(h, `${incidentId}/status`);
      const channel = h.slack.channels.get(status.channel)!;
      assert.equal(channel.isPrivate, true);
      assert.match(channel.name, /^inc-high-[0-9a-z]{8}$/);
      assert.ok(!channel.name.includes('customer'));
      assert.ok(channel.members.size > 1, 'responders invited');
      assert.ok(h.slack.calls.every((c) => c.method !== 'conversations.create' || c.args.is_private === 'true'));
    });

    it('gives a runbook configured public a public channel with its own name template', async () => {
      h = await startSlackHarness({ slack: { runbookChannels: { 'slack-drill': { private: false, name: 'drill-{slug}-{short}' } } } });
      const incidentId = await alertIncident(h, 'Quarterly outage drill');
      const status = await messageFor(h, `${incidentId}/status`);
      const channel = h.slack.channels.get(status.channel)!;
      assert.equal(channel.isPrivate, false);
      assert.match(channel.name, /^drill-quarterly-outage-drill-[0-9a-z]{8}$/);
    });

    it('cannot make a private channel without groups:write: the fake Slack refuses as Slack does', async () => {
      h = await startSlackHarness();
      h.slack.scopes.delete('groups:write');
      await alertIncident(h, 'No scope for private channels');
      const refused = await (async () => {
        for (let i = 0; i < 100; i++) {
          if (h!.slack.calls.some((c) => c.method === 'conversations.create')) return true;
          await new Promise((r) => setTimeout(r, 200));
        }
        return false;
      })();
      assert.ok(refused, 'conversations.create was called');
      assert.equal(h.slack.channels.size, 0, 'no channel made without the scope');
    });
  });
});
