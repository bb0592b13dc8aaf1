import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../worker/config';
import { resolveSecrets } from '../../worker/secrets';
import { connectClient, temporalTarget } from '../../worker/temporal-connection';
import { deliverAlert, emptyTally } from '../cluster/load';
import { recoveryByActivityKind } from '../helpers/activity-recovery';
import { FakeSlack } from '../helpers/fake-slack';
import { HoldingProxy } from '../helpers/holding-proxy';
import { freePort } from '../helpers/net';
import { sleep, waitUntil } from '../helpers/poll';
import { type S3TestServer, S3_TEST_CREDENTIALS, startS3Server } from '../helpers/s3-server';
import { SmtpInbox } from '../helpers/smtp-inbox';
import { sharedTemporal, tempDir } from '../helpers/temporal';

const cliPath = path.resolve(__dirname, '..', '..', 'bin', 'firebreak.js');
/** The target: a step whose worker died is retried within this. */
const RECOVERY_TARGET_S = 30;
const KINDS = ['http.request', 'evidence.capture', 'notify.slack', 'notify.email'];

// The wait lets the incident's first Slack sync create its channel, which notify.slack posts to.
const RUNBOOK = `
id: kill-recovery
version: 1
title: One step of each kind at once
match: 'alert.source == "generic"'
steps:
  - id: channel-ready
    wait: 3s
  - id: all-kinds
    parallel:
      mode: all
      branches:
        - id: contain
          action: http.request
          with: { endpoint: containment, method: POST, path: /isolate, body: { incident: '{{incident.id}}' } }
        - id: capture
          action: evidence.capture
          with: { name: alert.json, from: alert }
        - id: post-slack
          action: notify.slack
          with: { text: 'HOLD-SLACK update for {{incident.id}}' }
        - id: notice
          action: notify.email
          with: { to: soc@example.test, subject: 'Notice', body: 'See incident {{incident.id}}' }
`;

describe('kill -9 of a worker in the middle of each kind of action: retried on the other worker within 30 s', function () {
  this.timeout(300_000);
  const processes: ChildProcess[] = [];
  const inbox = new SmtpInbox();
  let s3: S3TestServer | { skip: string };
  let slack: FakeSlack;
  let slackProxy: HoldingProxy;
  let s3Proxy: HoldingProxy;
  let containment: HoldingProxy;
  let client: Client | undefined;

  // Put back what this test set: later tests spawn Firebreak with process.env, and an SMTP_URL naming this test's
  // stopped mail server left their notices retrying.
  const SET_ENV = ['SMTP_URL', 'KILL_TEST_S3_KEY', 'KILL_TEST_S3_SECRET', 'KILL_TEST_SLACK_BOT', 'KILL_TEST_SLACK_SIGNING'] as const;
  const savedEnv: Partial<Record<(typeof SET_ENV)[number], string | undefined>> = {};

  after(async () => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all([inbox.stop(), slackProxy?.stop(), s3Proxy?.stop(), containment?.stop(), slack?.stop(), s3 && 'stop' in s3 ? s3.stop() : undefined]);
    await client?.connection.close();
  });

  it('containment HTTP call, evidence capture (S3 upload), Slack post and email notice each complete on the other worker', async function () {
    s3 = await startS3Server();
    if ('skip' in s3) return this.skip();
    const temporal = await sharedTemporal();
    await inbox.start();
    slack = await FakeSlack.start();
    slackProxy = await HoldingProxy.start((request, body) => request.url?.includes('chat.postMessage') === true && body.includes('HOLD-SLACK'), slack.url);
    s3Proxy = await HoldingProxy.start((request) => request.method === 'PUT', s3.endpoint);
    containment = await HoldingProxy.start((request) => request.url === '/isolate');

    const dataDir = tempDir('kill-recovery');
    const runbooks = path.join(dataDir, 'runbooks');
    mkdirSync(runbooks);
    writeFileSync(path.join(runbooks, 'kill-recovery.yaml'), RUNBOOK);
    const configFile = path.join(dataDir, 'firebreak.yaml');
    writeFileSync(
      configFile,
      toYaml({
        endpoints: { containment: { url: containment.url, timeoutMs: 60_000 } },
        evidence: { store: 's3', s3: { bucket: await s3.createBucket(), endpoint: s3Proxy.url, forcePathStyle: true, accessKeyId: 'env:KILL_TEST_S3_KEY', secretAccessKey: 'env:KILL_TEST_S3_SECRET' } },
        slack: { botToken: 'env:KILL_TEST_SLACK_BOT', signingSecret: 'env:KILL_TEST_SLACK_SIGNING', teamId: 'T0KILL', appId: 'A0KILL', apiUrl: `${slackProxy.url}/api/` },
      }),
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: `kill-recovery-${randomUUID()}`,
      FIREBREAK_DATA_DIR: dataDir,
      FIREBREAK_CONFIG: configFile,
      FIREBREAK_RUNBOOKS_DIR: runbooks,
      FIREBREAK_HTTP_PORT: String(await freePort()),
      FIREBREAK_LOG_LEVEL: 'error',
      SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
      KILL_TEST_S3_KEY: S3_TEST_CREDENTIALS.accessKeyId,
      KILL_TEST_S3_SECRET: S3_TEST_CREDENTIALS.secretAccessKey,
      KILL_TEST_SLACK_BOT: slack.botToken,
      KILL_TEST_SLACK_SIGNING: 'kill-test-signing-secret',
    };
    for (const name of SET_ENV) {
      savedEnv[name] = process.env[name];
      process.env[name] = env[name];
    }
    const config = loadConfig(env);
    const secrets = resolveSecrets(config);
    const webhookSecret = secrets.webhookSigningSecret.reveal();
    const spawnFirebreak = (command: 'serve' | 'worker') => {
      const child = spawn(process.execPath, [cliPath, command], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      processes.push(child);
      return child;
    };
    // Firebreak's client: payloads (the incident's memo, its status) are encrypted.
    client = await connectClient(temporalTarget(config, secrets), secrets);
    const activityPollers = async () =>
      ((await client!.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: env.TEMPORAL_TASK_QUEUE! }, taskQueueType: 2 /* ACTIVITY */ })).pollers ?? []).map((p) => p.identity ?? '');

    const serve = `http://127.0.0.1:${env.FIREBREAK_HTTP_PORT}`;
    spawnFirebreak('serve');
    // Workers by the identity the SDK gives them (pid@host), to find the one that holds a step.
    const workers = new Map<string, ChildProcess>();
    const startWorker = async () => {
      const child = spawnFirebreak('worker');
      const identity = `${child.pid}@${os.hostname()}`;
      workers.set(identity, child);
      await waitUntil(`worker ${identity} polling`, 120_000, async () => (await activityPollers()).includes(identity));
    };
    await Promise.all([startWorker(), startWorker()]);
    // Healthy once it reaches Temporal and a worker polls.
    await waitUntil('the HTTP service', 120_000, async () => (await fetch(`${serve}/healthz`).then((r) => r.status, () => 0)) === 200);

    // Each round: one incident whose four calls are all held (accepted by their servers, not answered), then kill -9 of
    // the worker running most of the kinds not measured yet; the other worker must take them over. A new worker
    // replaces the killed one before the next round.
    const recovery: Record<string, number[]> = {};
    const incidents: string[] = [];
    for (let round = 0; round < 4 && KINDS.some((kind) => !recovery[kind]); round++) {
      let releaseMail!: () => void;
      const mailHeld = new Promise<void>((resolve) => (releaseMail = resolve));
      let mailsHeld = 0;
      inbox.hold = () => ((mailsHeld += 1), mailHeld);
      for (const proxy of [slackProxy, s3Proxy, containment]) proxy.arm();
      const alert = await deliverAlert([serve], webhookSecret, `kill-recovery-${round}-${Date.now()}`, emptyTally);
      assert.ok(alert, 'the alert was accepted');
      incidents.push(alert.incidentId);
      const handle = client.workflow.getHandle(alert.incidentId);
      await waitUntil('all four calls held', 90_000, async () => mailsHeld > 0 && slackProxy.held > 0 && s3Proxy.held > 0 && containment.held > 0);
      const running = new Map<string, string>();
      for (const activity of (await handle.describe()).raw.pendingActivities ?? []) running.set(activity.activityType?.name ?? '?', activity.lastWorkerIdentity ?? '');
      const byWorker = [...workers.keys()].map((identity) => ({ identity, kinds: KINDS.filter((kind) => !recovery[kind] && running.get(kind) === identity) }));
      const victim = byWorker.sort((a, b) => b.kinds.length - a.kinds.length)[0]!;

      const killedAt = Date.now();
      const child = workers.get(victim.identity)!;
      workers.delete(victim.identity);
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      await sleep(1_000);
      inbox.hold = undefined;
      releaseMail();
      for (const proxy of [slackProxy, s3Proxy, containment]) proxy.release();

      await waitUntil('the incident to complete', 120_000, async () => (await handle.describe()).status.name === 'COMPLETED');
      const measured = await recoveryByActivityKind(client, [alert.incidentId], killedAt);
      const reached = Object.fromEntries(([['http', containment], ['s3', s3Proxy], ['slack', slackProxy]] as const).map(([name, proxy]) => [name, seconds(proxy.arrivals.find((a) => a.at >= killedAt)?.at, killedAt)]));
      console.log(`      round ${round + 1}: killed the worker running ${JSON.stringify(victim.kinds)}; kill -> completed on the other worker (s): ${JSON.stringify(measured)}; kill -> next call reached its server (s): ${JSON.stringify(reached)}`);
      for (const kind of victim.kinds) {
        assert.ok(measured[kind]?.length, `${kind} was running on the killed worker and was retried after its heartbeat timed out`);
        recovery[kind] = measured[kind]!;
      }
      await startWorker();
    }
    console.log(`      recovery after kill -9 of the worker, by activity kind (s): ${JSON.stringify(recovery)}`);

    for (const kind of KINDS) {
      assert.ok(recovery[kind], `${kind} measured`);
      assert.ok(Math.max(...recovery[kind]) <= RECOVERY_TARGET_S, `${kind} completed within ${RECOVERY_TARGET_S} s of the kill (took ${Math.max(...recovery[kind])} s)`);
    }
    // Nothing doubled by the retries: one notice and one Slack post per incident (the dead worker's calls never completed).
    assert.equal(new Set(inbox.received.map((m) => m.messageId)).size, incidents.length);
    assert.equal(inbox.received.length, incidents.length);
    assert.equal(slack.messages.filter((m) => m.text.includes('HOLD-SLACK')).length, incidents.length);
  });
});

function seconds(at: number | undefined, from: number): number | undefined {
  return at === undefined ? undefined : Math.round((at - from) / 100) / 10;
}
