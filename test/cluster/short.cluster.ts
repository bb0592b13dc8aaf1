import assert from 'node:assert/strict';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { recoveryByActivityKind } from '../helpers/activity-recovery';
import { freePort } from '../helpers/net';
import { sleep, waitUntil } from '../helpers/poll';
import { SmtpInbox } from '../helpers/smtp-inbox';
import { missingPrerequisite } from './binaries';
import { type Fleet, fleetOn } from './fleet';
import { type IncidentView, type SentAlert, api, deliverAlert, emptyTally } from './load';
import { type TemporalCluster, startCluster } from './provision';

/** Alerts whose notices are held at the SMTP server while a worker is killed, and alerts sent after the kill. */
const BEFORE_KILL = 6;
const AFTER_KILL = 2;
/** The target: a step whose worker died is retried within this. */
const RECOVERY_TARGET_S = 30;
const WORKERS = ['worker-1', 'worker-2'];

/*
 * The cluster suite's short version, the one CI runs (npm run test:cluster:short): the same real cluster (four Temporal
 * services as separate processes on PostgreSQL, four history shards), one `firebreak serve` and two `firebreak worker`
 * on it, and one failure: kill -9 of the worker holding notices mid-send. The full suite (npm run test:cluster) adds
 * steady load, an HTTP replica, history, matching and PostgreSQL failures, and backup and restore.
 */
describe('short: a real Temporal cluster, one HTTP service and two workers, kill -9 of a worker mid-send', function () {
  this.timeout(15 * 60_000);
  let cluster: TemporalCluster | undefined;
  let fb: Fleet | undefined;
  let connection: Connection | undefined;
  const inbox = new SmtpInbox();

  after(async () => {
    inbox.hold = undefined;
    await fb?.stop();
    await connection?.close();
    await inbox.stop();
    await cluster?.stop();
  });

  it('runs every accepted alert to its one notice, with the killed worker\'s sends retried on the other within 30 s', async function () {
    const missing = await missingPrerequisite();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      return this.skip();
    }
    const began = Date.now();
    cluster = await startCluster({ log: (line) => console.log(`      ${line}`) });
    const provisionedInS = (Date.now() - began) / 1000;
    await inbox.start();
    fb = fleetOn(cluster, inbox.port, 'cluster-notice');
    const replica = `http://127.0.0.7:${await freePort()}`;
    // The workers as the SDK names them (pid@host): the test kills the one holding the most sends.
    const identities = new Map<string, string>();
    await Promise.all(WORKERS.map((name) => fb!.spawn(name, 'worker')));
    for (const name of WORKERS) identities.set(`${fb.processes.get(name)!.pid}@${os.hostname()}`, name);
    await fb.spawn('serve-1', 'serve', new URL(replica));
    connection = await Connection.connect({ address: cluster.address });
    const raw = connection.workflowService;
    const namespace = cluster.namespace;
    const startedInS = (Date.now() - began) / 1000;

    const tally = emptyTally();
    const alerts: SentAlert[] = [];
    const view = (id: string) => api<IncidentView>([replica], 'GET', `/v1/incidents/${id}`, fb!.adminToken);
    const waiting = async (id: string) => Boolean((await view(id))?.steps.some((s) => s.id === 'approve-notice' && s.state === 'waiting'));
    const sendAndApprove = async (count: number, label: string) => {
      const sent = await Promise.all(Array.from({ length: count }, (_, i) => deliverAlert([replica], fb!.webhookSecret, `short-${label}-${i}-${Date.now()}`, () => tally)));
      for (const alert of sent) {
        assert.ok(alert, 'the alert was accepted within 2 minutes');
        alerts.push(alert);
        await waitUntil(`${alert.incidentId} to wait for its approval`, 120_000, () => waiting(alert.incidentId), 500);
        assert.ok(await api([replica], 'POST', `/v1/incidents/${alert.incidentId}/steps/approve-notice/approve`, fb!.approverToken, { reason: 'short cluster test' }));
      }
      return sent as SentAlert[];
    };

    // Every notice is held at the SMTP server (accepted, not answered) until the kill: both workers have sends in flight.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = 0;
    inbox.hold = () => ((holding += 1), held);
    const first = await sendAndApprove(BEFORE_KILL, 'before');
    await waitUntil(`all ${BEFORE_KILL} notices held at the SMTP server`, 120_000, async () => holding >= BEFORE_KILL, 250);
    const sendsBy = new Map<string, number>();
    for (const alert of first) {
      const described = await raw.describeWorkflowExecution({ namespace, execution: { workflowId: alert.incidentId } });
      for (const activity of described.pendingActivities ?? []) {
        if (activity.activityType?.name !== 'notify.email') continue;
        const worker = identities.get(activity.lastWorkerIdentity ?? '');
        if (worker) sendsBy.set(worker, (sendsBy.get(worker) ?? 0) + 1);
      }
    }
    const [victim, inFlight] = [...sendsBy].sort((a, b) => b[1] - a[1])[0] ?? [];
    assert.ok(victim && inFlight, `a worker holds a notice mid-send (pending sends by worker: ${JSON.stringify([...sendsBy])})`);
    const killedAt = Date.now();
    await fb.kill9(victim);
    await sleep(1_000);
    inbox.hold = undefined;
    release();
    // The surviving worker alone: new incidents still run to their notice.
    await sendAndApprove(AFTER_KILL, 'after');

    const completed = new Set<string>();
    await waitUntil('every accepted incident to complete', 180_000, async () => {
      for (const alert of alerts) if (!completed.has(alert.incidentId) && (await view(alert.incidentId))?.phase === 'completed') completed.add(alert.incidentId);
      return completed.size === alerts.length;
    }, 500);
    const recovery = await recoveryByActivityKind(new Client({ connection, namespace }), first.map((a) => a.incidentId), killedAt);
    const byMessageId = new Map<string, number>();
    for (const mail of inbox.received) byMessageId.set(mail.messageId, (byMessageId.get(mail.messageId) ?? 0) + 1);
    const notified = new Set(inbox.received.map((m) => /See incident (\S+)/.exec(m.text)?.[1]));
    const audit = await fb.verifyAudit(replica);
    console.log(
      `      provisioned in ${provisionedInS} s, Firebreak up at ${startedInS} s; killed ${victim} with ${inFlight} of ${BEFORE_KILL} sends in flight;` +
        ` kill -> send completed on the other worker (s): ${JSON.stringify(recovery['notify.email'] ?? [])};` +
        ` ${alerts.length} alerts accepted, ${completed.size} completed, ${inbox.received.length} notices (${byMessageId.size} Message-IDs); whole test ${(Date.now() - began) / 1000} s`,
    );

    assert.deepEqual(tally.other, [], 'every refused request was a 503/429');
    assert.equal(new Set(alerts.map((a) => a.incidentId)).size, alerts.length, 'every accepted alert has its own incident');
    assert.equal(completed.size, alerts.length, 'no incident stuck');
    for (const alert of alerts) assert.ok(notified.has(alert.incidentId), `${alert.incidentId}: its notice was sent`);
    assert.equal(byMessageId.size, alerts.length, 'one notice per approved incident');
    assert.deepEqual([...byMessageId].filter(([, n]) => n > 1), [], 'no notice sent twice');
    const retried = recovery['notify.email'] ?? [];
    assert.equal(retried.length, inFlight, `every send in flight on ${victim} was retried on the other worker`);
    assert.ok(Math.max(...retried) <= RECOVERY_TARGET_S, `the killed worker's sends completed within ${RECOVERY_TARGET_S} s of the kill (took ${Math.max(...retried)} s)`);
    assert.ok(audit.ok, `firebreak audit verify: ${audit.output}`);
  });
});
