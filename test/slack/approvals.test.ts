import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { eventually } from '../helpers/firebreak';
import { LEGAL_GROUP, type SlackHarness, U, alertIncident, declareFromSlack, decide, ephemeralCode, ephemeralsFor, messageFor, startSlackHarness, status } from './support';

const UpdateAccepted = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED;

async function acceptedUpdates(h: SlackHarness, id: string): Promise<number> {
  const history = await h.fb.client.workflow.getHandle(id).fetchHistory();
  return (history.events ?? []).filter((e) => e.eventType === UpdateAccepted).length;
}

/** The codes of the ephemerals `user` got after `from`, once `count` of them arrived. */
async function tellsUser(h: SlackHarness, user: string, from: number, count = 1): Promise<string[]> {
  return eventually(async () => {
    const codes = ephemeralsFor(h, user).slice(from).map(ephemeralCode);
    return codes.length >= count ? codes : undefined;
  }, 20_000, `${count} ephemeral(s) for ${user}`);
}

describe('slack: approvals enforce roles and separation of duties at click time', function () {
  this.timeout(120_000);
  let h: SlackHarness;

  before(async () => {
    h = await startSlackHarness();
  });
  after(async () => h?.stop());

  it('refuses the requester, tells them why, and records nothing', async () => {
    const id = await declareFromSlack(h, U.lena, 'Declared by legal');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    const seen = ephemeralsFor(h, U.lena).length;
    await decide(h, U.lena, approval, 'approve', 'my own incident');
    assert.deepEqual(await tellsUser(h, U.lena, seen), ['approval.separation_of_duties']);
    assert.equal(await acceptedUpdates(h, id), 0);
  });

  it('refuses someone without the role', async () => {
    const id = await alertIncident(h, 'Non member clicks');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    const seen = ephemeralsFor(h, U.olga).length;
    await decide(h, U.olga, approval, 'approve', 'looks fine to me');
    assert.deepEqual(await tellsUser(h, U.olga, seen), ['approval.not_permitted']);
    assert.equal((await status(h.fb, id)).approvals[0]!.decisions.length, 0);
  });

  it('refuses a member removed from the user group after the approval was requested', async () => {
    const id = await alertIncident(h, 'Removed member');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    h.slack.usergroups.set(LEGAL_GROUP, [U.lena]);
    try {
      const seen = ephemeralsFor(h, U.liam).length;
      await decide(h, U.liam, approval, 'approve', 'still think I can');
      assert.deepEqual(await tellsUser(h, U.liam, seen), ['approval.not_permitted']);
      assert.equal(await acceptedUpdates(h, id), 0);
    } finally {
      h.slack.usergroups.set(LEGAL_GROUP, [U.lena, U.liam]);
    }
  });

  it('records exactly one decision when two approvers submit at once, and tells the second why', async () => {
    const id = await alertIncident(h, 'Two approvers race');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    const seen = { lena: ephemeralsFor(h, U.lena).length, liam: ephemeralsFor(h, U.liam).length };
    await Promise.all([decide(h, U.lena, approval, 'approve', 'lena says yes'), decide(h, U.liam, approval, 'reject', 'liam says no')]);
    const codes = [...(await tellsUser(h, U.lena, seen.lena)), ...(await tellsUser(h, U.liam, seen.liam))].sort();
    assert.deepEqual(codes, ['ok', 'step.not_waiting']);
    assert.equal((await status(h.fb, id)).approvals[0]!.decisions.length, 1);
    assert.equal(await acceptedUpdates(h, id), 1);
  });

  it('answers a double submit with the first result and records one decision', async () => {
    const id = await alertIncident(h, 'Double click');
    const approval = await messageFor(h, `${id}/step/approve-notice`);
    const seen = ephemeralsFor(h, U.lena).length;
    const { view } = await decide(h, U.lena, approval, 'approve', 'first');
    await h.sender.submit(U.lena, view, { reason: { reason: { type: 'plain_text_input', value: 'first' } } });
    assert.deepEqual(await tellsUser(h, U.lena, seen, 2), ['ok', 'ok']);
    assert.equal((await status(h.fb, id)).approvals[0]!.decisions.length, 1);
    assert.equal(await acceptedUpdates(h, id), 1);
  });
});
