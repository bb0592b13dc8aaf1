import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { recoveryByActivityKind } from '../helpers/activity-recovery';
import { freePort } from '../helpers/net';
import { sleep, waitUntil } from '../helpers/poll';
import { SmtpInbox } from '../helpers/smtp-inbox';
import { type Fleet, fleetOn } from './fleet';
import { type IncidentView, type SentAlert, type Tally, api, deliverAlert, emptyTally } from './load';
import { type TemporalCluster, startCluster } from './provision';

/** Bounds of the load: at most this many alerts, about one a second, only while the failures run. */
const MAX_ALERTS = 250;
const SEND_EVERY_MS = 1000;
const STEADY_MS = 10_000;
/** How often a wait looks again: a recovery time is measured to within this. */
const POLL_MS = 500;

/** Each HTTP replica on its own loopback address, as on its own host (the Temporal services have theirs). */
const REPLICA_HOSTS = ['127.0.0.7', '127.0.0.8'];

interface Phase {
  name: string;
  /** Resolves with the moment of the failure when that is not the moment it was called. */
  inject(): Promise<number | void>;
  /** Put back what was broken (a second history or matching does not exist: the cluster waits for this one). */
  heal(): Promise<void>;
  /** Heal before measuring recovery (nothing else takes over), or after (a replica takes over). */
  healFirst: boolean;
}

interface Row {
  failure: string;
  inFlight: number;
  refused: string;
  recoveredInS: number;
  lost: number;
  doubled: number;
}

describe('a real Temporal cluster (four services on PostgreSQL), two HTTP replicas and two workers, failures under load', function () {
  this.timeout(30 * 60_000);
  let cluster: TemporalCluster;
  const inbox = new SmtpInbox();
  let fb: Fleet;
  let replicas: string[];

  before(async () => {
    cluster = await startCluster({ log: (line) => console.log(`      ${line}`) });
    await inbox.start();
    fb = fleetOn(cluster, inbox.port, 'cluster-notice');
    replicas = await Promise.all(REPLICA_HOSTS.map(async (host) => `http://${host}:${await freePort()}`));
    await fb.spawn('worker-1', 'worker');
    await fb.spawn('worker-2', 'worker');
    await Promise.all([fb.spawn('serve-1', 'serve', new URL(replicas[0]!)), fb.spawn('serve-2', 'serve', new URL(replicas[1]!))]);
  });

  after(async () => {
    await fb?.stop();
    await inbox.stop();
    await cluster?.stop();
  });

  it('loses nothing and sends nothing twice through kill -9 of a worker, an HTTP replica, history and matching, and a PostgreSQL restart', async () => {
    const alerts: SentAlert[] = [];
    const completed = new Set<string>();
    const approved = new Set<string>();
    let tally: Tally = emptyTally();
    const allTallies: Tally[] = [];
    let sending = true;
    let sent = 0;
    const deliveries: Promise<void>[] = [];

    // Senders: a steady flow, each alert retried until accepted.
    const sender = (async () => {
      while (sending && sent < MAX_ALERTS) {
        const title = `cluster-${sent++}-${Date.now()}`;
        deliveries.push(deliverAlert(replicas, fb.webhookSecret, title, () => tally).then((a) => void (a && alerts.push(a))));
        await sleep(SEND_EVERY_MS);
      }
    })();

    // The approver, and the bookkeeping of which incidents completed.
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const open = alerts.filter((a) => !completed.has(a.incidentId));
        for (let i = 0; i < open.length; i += 8) {
          await Promise.all(
            open.slice(i, i + 8).map(async (a) => {
              const view = await api<IncidentView>(replicas, 'GET', `/v1/incidents/${a.incidentId}`, fb.adminToken);
              if (!view) return;
              if (view.phase === 'completed') completed.add(a.incidentId);
              else if (!approved.has(a.incidentId) && view.steps.some((s) => s.id === 'approve-notice' && s.state === 'waiting')) {
                const ok = await api(replicas, 'POST', `/v1/incidents/${a.incidentId}/steps/approve-notice/approve`, fb.approverToken, { reason: 'cluster test' });
                if (ok) approved.add(a.incidentId);
              }
            }),
          );
        }
        await sleep(500);
      }
    })();

    // Notices are held at the SMTP server for longer than the heartbeat timeout, so both workers have sends in flight
    // (kept alive by heartbeats) when one is killed; the dead worker's sends never got their 250 and are retried.
    const killWorkerMidSend = async () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      inbox.hold = () => held;
      await sleep(12_000);
      const killedAt = Date.now();
      await fb.kill9('worker-1');
      await sleep(1_000);
      inbox.hold = undefined;
      release();
      return killedAt;
    };
    const phases: Phase[] = [
      { name: 'kill -9 a worker', inject: () => killWorkerMidSend(), heal: () => fb.spawn('worker-1', 'worker'), healFirst: false },
      { name: 'kill -9 an HTTP replica', inject: () => fb.kill9('serve-1'), heal: () => fb.spawn('serve-1', 'serve', new URL(replicas[0]!)), healFirst: false },
      { name: 'kill -9 history', inject: async () => cluster.kill('history'), heal: () => cluster.start('history'), healFirst: true },
      { name: 'kill -9 matching', inject: async () => cluster.kill('matching'), heal: () => cluster.start('matching'), healFirst: true },
      { name: 'restart PostgreSQL', inject: () => cluster.postgres.restart(), heal: async () => {}, healFirst: true },
    ];

    const rows: Row[] = [];
    const phaseAlerts: { row: Row; ids: Set<string> }[] = [];
    const killedAt: Record<string, number> = {};
    for (const phase of phases) {
      await sleep(STEADY_MS);
      tally = emptyTally();
      allTallies.push(tally);
      const inFlight = alerts.filter((a) => !completed.has(a.incidentId));
      const ids = new Set(inFlight.map((a) => a.incidentId));
      const calledAt = Date.now();
      const injectedAt = (await phase.inject()) ?? calledAt;
      killedAt[phase.name] = injectedAt;
      if (phase.healFirst) {
        await sleep(3_000);
        await phase.heal();
      }
      // Recovered: an alert sent after the failure is accepted and its incident reaches the approval.
      const probe = await deliverAlert(replicas, fb.webhookSecret, `probe-${phase.name}-${Date.now()}`, () => tally, 180_000);
      assert.ok(probe, `${phase.name}: no alert was accepted within 3 minutes`);
      alerts.push(probe);
      await waitUntil(`${phase.name}: the probe incident to reach its approval`, 180_000, async () => {
        const view = await api<IncidentView>(replicas, 'GET', `/v1/incidents/${probe.incidentId}`, fb.adminToken);
        return Boolean(view?.steps.some((s) => s.id === 'approve-notice' && (s.state === 'waiting' || s.state === 'done')));
      }, POLL_MS);
      const recoveredInS = (Date.now() - injectedAt) / 1000;
      console.log(`      ${phase.name}: recovered in ${recoveredInS} s (${inFlight.length} in flight; ${alerts.length} accepted, ${completed.size} completed so far)`);
      if (!phase.healFirst) await phase.heal();
      const row: Row = { failure: phase.name, inFlight: inFlight.length, refused: '', recoveredInS, lost: 0, doubled: 0 };
      rows.push(row);
      phaseAlerts.push({ row, ids });
      for (const a of alerts) if (a.acceptedAt >= injectedAt) ids.add(a.incidentId);
    }
    sending = false;
    await sender;
    await Promise.all(deliveries);

    // Everything accepted finishes: approved, notice sent, incident completed.
    await waitUntil('every accepted incident to complete', 300_000, async () => alerts.every((a) => completed.has(a.incidentId)), POLL_MS);
    watching = false;
    await watcher;

    const byMessageId = new Map<string, number>();
    for (const mail of inbox.received) byMessageId.set(mail.messageId, (byMessageId.get(mail.messageId) ?? 0) + 1);
    const incidentOfMail = new Map(inbox.received.map((m) => [m.messageId, /See incident (\S+)/.exec(m.text)?.[1]]));
    const notified = new Set([...incidentOfMail.values()]);
    for (const [i, { row, ids }] of phaseAlerts.entries()) {
      const t = allTallies[i]!;
      row.refused = `${t.retryable} x 503/429, ${t.unreachable} unreachable, ${t.other.length} other`;
      row.lost = [...ids].filter((id) => !completed.has(id) || !notified.has(id)).length;
      row.doubled = [...byMessageId].filter(([mid, n]) => n > 1 && ids.has(incidentOfMail.get(mid) ?? '')).length;
    }

    const recovery = await recoveryOnCluster(cluster, alerts.map((a) => a.incidentId), killedAt['kill -9 a worker']!, killedAt['kill -9 an HTTP replica']!);
    console.log('\n      failure table');
    console.table(rows);
    console.log(`      alerts accepted ${alerts.length}, incidents completed ${completed.size}, notices ${inbox.received.length} (${byMessageId.size} distinct Message-IDs)`);
    console.log('      activities retried after the worker kill (kill -> completed on the other worker, seconds):', JSON.stringify(recovery));
    assert.ok(recovery['notify.email']?.length, 'a notice was in flight on the killed worker');

    assert.deepEqual(allTallies.flatMap((t) => t.other), [], 'every refused request was a 503/429 (or no answer from a killed replica)');
    assert.equal(new Set(alerts.map((a) => a.incidentId)).size, alerts.length, 'every accepted alert has its own incident');
    assert.equal(completed.size, alerts.length, 'no incident stuck');
    assert.equal(byMessageId.size, alerts.length, 'one notice per approved incident');
    assert.deepEqual([...byMessageId].filter(([, n]) => n > 1), [], 'no notice sent twice');
    for (const row of rows) assert.equal(row.lost, 0, `${row.failure}: lost`);
    for (const [kind, seconds] of Object.entries(recovery)) assert.ok(Math.max(...seconds) <= 30, `${kind} retried within 30 s of the kill (took ${Math.max(...seconds)} s)`);
    // With a replica's URL, verify also checks the log against the heads Temporal recorded (the witness).
    const audit = await fb.verifyAudit(replicas[1]!);
    assert.ok(audit.ok, `firebreak audit verify: ${audit.output}`);
  });
});

/** recoveryByActivityKind over a connection of its own to the cluster. */
async function recoveryOnCluster(cluster: TemporalCluster, ids: string[], killedAt: number, until: number): Promise<Record<string, number[]>> {
  const connection = await Connection.connect({ address: cluster.address });
  try {
    return await recoveryByActivityKind(new Client({ connection, namespace: cluster.namespace }), ids, killedAt, until);
  } finally {
    await connection.close();
  }
}
