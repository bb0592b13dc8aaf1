import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadPublicKey } from '../../audit';
import { Checkpoint, checkCheckpoint } from '../../audit/checkpoint';
import type { FakeMessage } from '../helpers/fake-slack';
import { eventually } from '../helpers/firebreak';
import { SIGNING_SECRET, type SlackHarness, alertIncident, messageFor, startSlackHarness, status } from './support';

const AUDIT_CHANNEL = 'C0AUDIT';

/** What a reader copies out of the message: the signed note (first code block) and the checkpoint JSON (second). */
function readCheckpointMessage(message: FakeMessage): { note: string; json: Checkpoint } {
  const unescaped = message.text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const blocks = [...unescaped.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.equal(blocks.length, 2, 'a note block and a JSON block');
  return { note: blocks[0]!, json: Checkpoint.parse(JSON.parse(blocks[1]!)) };
}

function writtenCheckpoints(h: SlackHarness): Checkpoint[] {
  const lines = readFileSync(path.join(h.fb.dataDir, 'audit', 'checkpoints.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
  return lines.map((line) => Checkpoint.parse(JSON.parse(line)));
}

describe('slack: signed audit checkpoints are posted off the machine', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness({ people: [{ id: 'cora', roles: ['commander'] }], audit: { checkpointSlackChannel: AUDIT_CHANNEL } });
    h.slack.channels.set(AUDIT_CHANNEL, { id: AUDIT_CHANNEL, name: 'audit-witness', members: new Set(['UBOT']) });
  });
  after(async () => h?.stop());

  it('posts the closing checkpoint once to the incident channel and every checkpoint to the audit channel, through a failed first try', async () => {
    const incidentId = await alertIncident(h, 'Checkpoint at close');
    const statusMessage = await messageFor(h, `${incidentId}/status`);
    const closeKey = `${incidentId}/audit-checkpoint`;
    // The first post of each is refused or lost after landing: the retry must neither give up nor post a twin.
    h.slack.failWhen('chat.postMessage', (args) => (args.metadata as FakeMessage['metadata'])?.event_payload.key === closeKey, { status: 500 });
    h.slack.failWhen('chat.postMessage', (args) => args.channel === AUDIT_CHANNEL, { applyThenDrop: true });

    const aborted = await h.fb.api('POST', `/v1/incidents/${incidentId}/abort`, { reason: 'drill over' }, 'token-cora');
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    await eventually(async () => ((await status(h.fb, incidentId)).phase === 'aborted' ? true : undefined), 30_000, 'incident aborted');
    const posted = await messageFor(h, closeKey);

    assert.equal(posted.channel, statusMessage.channel, 'in the incident channel');
    assert.equal(h.slack.messagesWithKey(closeKey).length, 1, 'posted exactly once');
    assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => c.status === 500).length, 1, 'the first try did fail');
    const publicKey = loadPublicKey(readFileSync(path.join(h.fb.dataDir, 'audit-checkpoint.pub.pem'), 'utf8'));
    const { note, json } = readCheckpointMessage(posted);
    assert.equal(note, json.note, 'the note verbatim');
    assert.equal(checkCheckpoint({ ...json, note }, publicKey), undefined, 'the note verifies against the published key');
    const written = writtenCheckpoints(h);
    assert.ok(written.some((cp) => cp.note === note), 'the checkpoint the log wrote');
    const closing = (await status(h.fb, incidentId)).timeline.length;
    assert.ok(json.size >= closing, 'it covers the incident through its closing record');

    // Every checkpoint the log wrote, once each, in the audit channel; the dropped first post is not repeated.
    const audit = await eventually(async () => {
      const inChannel = h.slack.messages.filter((m) => m.channel === AUDIT_CHANNEL);
      return inChannel.length >= writtenCheckpoints(h).length ? inChannel : undefined;
    }, 30_000, 'audit channel has every checkpoint');
    const notes = audit.map((m) => readCheckpointMessage(m).note);
    assert.deepEqual([...notes].sort(), writtenCheckpoints(h).map((cp) => cp.note).sort());
    for (const n of notes) assert.equal(checkCheckpoint({ ...readCheckpointMessage(audit[notes.indexOf(n)]!).json, note: n }, publicKey), undefined);
  });

  it('puts no secret in any Slack message', () => {
    const { secrets } = h.fb;
    const pem = secrets.auditSigningKey.reveal();
    const keyMaterial = pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
    const values = [h.slack.botToken, h.slack.appToken, SIGNING_SECRET, secrets.adminToken.reveal(), secrets.webhookSigningSecret.reveal(), 'token-cora', pem, ...keyMaterial];
    const shown = h.slack.messages.map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}\n${JSON.stringify(m.metadata ?? {})}`);
    assert.ok(shown.some((text) => text.includes('audit checkpoint')), 'checkpoint messages were looked at');
    for (const text of shown) for (const value of values) assert.ok(!text.includes(value), 'a secret reached Slack');
  });
});
