import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '../helpers/firebreak';
import { type SlackHarness, TEAM, U, ViewId, startSlackHarness, status } from './support';

/*
 * Socket Mode (issue 6): Firebreak configured with an app token and no signing secret dials out to Slack — here the
 * fake, whose `apps.connections.open` hands out a ws:// URL of its own WebSocket server — and receives slash commands
 * and interactions as envelopes it must ack with their `envelope_id`.
 */
describe('slack: Socket Mode', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness({ socketMode: true });
  });
  after(async () => h?.stop());

  const slashCommand = (text: string, extra: Record<string, string> = {}) => ({
    command: '/incident',
    text,
    user_id: U.sam,
    team_id: TEAM.id,
    api_app_id: TEAM.appId,
    channel_id: 'CCMD',
    trigger_id: `trig-${randomUUID()}`,
    response_url: h.slack.responseUrl(),
    ...extra,
  });

  /** `/incident help` as an envelope; its answer goes to the response_url. */
  const sendHelp = () => {
    const command = slashCommand('help');
    return { envelopeId: h.slack.socket.envelope('slash_commands', command), responseId: command.response_url.slice(command.response_url.lastIndexOf('/') + 1) };
  };

  /** The ack of an envelope, or a failure after `ms`. */
  const ackOf = (envelopeId: string, ms = 3_000) => eventually(async () => h.slack.socket.ackFor(envelopeId), ms, `ack of envelope ${envelopeId}`);

  it('connects with the app token, and serves no HTTP endpoint for Slack', async () => {
    const opens = h.slack.callsTo('apps.connections.open');
    assert.equal(opens.length, 1);
    assert.equal(opens[0]!.status, 200);
    assert.equal(h.slack.socket.sockets.size, 1);
    const http = await fetch(`${h.fb.baseUrl}/slack/events`, { method: 'POST', body: 'command=%2Fincident' });
    assert.equal(http.status, 404);
  });

  it('acks a `/incident declare` envelope within 3 s, and the modal it opens declares an incident', async () => {
    const viewsBefore = h.slack.views.length;
    const command = slashCommand('declare');
    const sent = Date.now();
    const commandEnvelope = h.slack.socket.envelope('slash_commands', command);
    const ack = await ackOf(commandEnvelope);
    assert.ok(ack.at - sent < 3_000, `acked after ${ack.at - sent} ms`);

    const view = await eventually(async () => h.slack.views[viewsBefore] as { callback_id: string; private_metadata: string } | undefined, 10_000, 'declare modal');
    assert.equal(view.callback_id, ViewId.Declare);
    const submission = await h.sender.submit(U.sam, view, {
      title: { title: { type: 'plain_text_input', value: 'Socket Mode drill' } },
      severity: { severity: { type: 'static_select', selected_option: { value: 'high' } } },
      runbook: { runbook: { type: 'static_select', selected_option: { value: 'slack-drill' } } },
      description: { description: { type: 'plain_text_input', value: null } },
    });
    assert.equal(submission.status, 200, 'the view submission envelope was acked');
    assert.ok(submission.ms < 3_000, `view submission acked after ${submission.ms} ms`);

    const responseId = command.response_url.slice(command.response_url.lastIndexOf('/') + 1);
    const reply = await eventually(async () => h.slack.responses.find((r) => r.id === responseId), 20_000, 'declare reply');
    const incidentId = /`(incident\/declared\/[0-9A-Z]+)`/.exec(String(reply.body.text))?.[1];
    assert.ok(incidentId, `no incident id in ${JSON.stringify(reply.body)}`);
    const declared = await eventually(async () => status(h.fb, incidentId).catch(() => undefined), 20_000, 'declared incident');
    assert.equal(declared.title, 'Socket Mode drill');
  });

  it('does not act on an envelope for another workspace or another app', async () => {
    const viewsBefore = h.slack.views.length;
    const responsesBefore = h.slack.responses.length;
    const foreignTeam = h.slack.socket.envelope('slash_commands', slashCommand('declare', { team_id: 'T0OTHER' }));
    const foreignApp = h.slack.socket.envelope('slash_commands', slashCommand('declare', { api_app_id: 'A0OTHER' }));
    const foreignClick = h.slack.socket.envelope('interactive', {
      type: 'view_submission',
      team: { id: 'T0OTHER' },
      api_app_id: TEAM.appId,
      user: { id: U.sam, team_id: 'T0OTHER' },
      view: { id: 'V1', type: 'modal', callback_id: ViewId.Declare, private_metadata: '', state: { values: {} }, hash: 'h' },
    });
    // A control envelope sent after them: once it is acked, the foreign ones have been through the middleware.
    const control = sendHelp();
    await ackOf(control.envelopeId);
    await eventually(async () => h.slack.responses.find((r) => r.id === control.responseId), 10_000, 'help reply');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.slack.views.length, viewsBefore, 'no modal opened');
    const answered = h.slack.responses.slice(responsesBefore).map((r) => r.id);
    assert.deepEqual(answered, [control.responseId], 'only the control command was answered');
    // Refused like HTTP mode's 401: not acked, so Slack tells the sender it failed.
    for (const id of [foreignTeam, foreignApp, foreignClick]) assert.equal(h.slack.socket.ackFor(id), undefined, `envelope ${id} acked`);
  });

  it('survives malformed envelopes without acting on them, and keeps serving on the same connection', async () => {
    const viewsBefore = h.slack.views.length;
    h.slack.socket.sendRaw('this is not json');
    h.slack.socket.sendRaw(JSON.stringify({ type: 'slash_commands', payload: slashCommand('declare') })); // no envelope_id
    const noPayload = h.slack.socket.envelope('slash_commands', undefined);
    const nullPayload = h.slack.socket.envelope('interactive', null);
    const notAnObject = h.slack.socket.envelope('interactive', 'declare');
    const unknownType = h.slack.socket.envelope('mystery', slashCommand('declare'));
    const control = sendHelp();
    await ackOf(control.envelopeId);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.slack.views.length, viewsBefore, 'no modal opened');
    assert.equal(h.slack.socket.connections, 1, 'still the first connection');
    assert.equal(h.slack.socket.sockets.size, 1);
    for (const id of [noPayload, nullPayload, notAnObject, unknownType]) assert.equal(h.slack.socket.ackFor(id), undefined, `envelope ${id} acked`);
  });

  it('reconnects when Slack asks it to, and serves commands on the new connection', async () => {
    const opensBefore = h.slack.callsTo('apps.connections.open').length;
    h.slack.socket.disconnectClients('refresh_requested');
    await eventually(async () => (h.slack.socket.connections === 2 && h.slack.socket.sockets.size === 1) || undefined, 20_000, 'second connection');
    assert.equal(h.slack.callsTo('apps.connections.open').length, opensBefore + 1);
    const control = sendHelp();
    await ackOf(control.envelopeId);
    await eventually(async () => h.slack.responses.find((r) => r.id === control.responseId), 10_000, 'help reply');
  });

  it('keeps trying when apps.connections.open fails while reconnecting', async () => {
    const connectionsBefore = h.slack.socket.connections;
    h.slack.fail('apps.connections.open', { status: 500 }, { error: 'internal_error' });
    h.slack.socket.disconnectClients('refresh_requested');
    await eventually(async () => (h.slack.socket.connections === connectionsBefore + 1 && h.slack.socket.sockets.size === 1) || undefined, 60_000, 'connection after failures');
    assert.deepEqual(
      h.slack.callsTo('apps.connections.open').slice(-3).map((c) => c.status),
      [500, 200, 200],
    );
    const control = sendHelp();
    await ackOf(control.envelopeId);
  });
});
