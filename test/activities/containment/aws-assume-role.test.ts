import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListAccessKeysCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAwsClients } from '../../../activities/containment/aws/session';
import { containmentPlanner, createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { EvidenceStore } from '../../../evidence';
import { Secret } from '../../../shared/secret';
import { ConfigError, loadConfig } from '../../../worker/config';
import type { ActionFn } from '../../../workflows/runbook-interpreter/steps/action';
import { type S3TestServer, startS3Server } from '../../helpers/s3-server';
import { tempDir } from '../../helpers/temporal';

/*
 * Role assumption (`vendors.aws.roleArn` with `externalId`) against moto with its IAM authorization switched on, so
 * moto checks every request's signature and evaluates the caller's policies: the worker's own credentials may only
 * call sts:AssumeRole, and only the role may touch IAM. A containment step that succeeds therefore signed its IAM
 * calls with the assumed session's credentials. moto records each AssumeRole (role, session name, external id) but
 * does not evaluate a trust policy's sts:ExternalId condition, so a wrong external id cannot be refused here: the
 * test reads the external id moto received from its own state (/moto-api/data.json) instead.
 */

const ACCOUNT = '123456789012';
const ROLE = 'firebreak-containment';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const EXTERNAL_ID = `fb-external-${Date.now().toString(36)}`;
const policy = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

describe('AWS containment through an assumed role with an external id (moto with IAM authorization)', function () {
  this.timeout(120_000);
  let moto: S3TestServer;
  let worker: Keys;
  let noAssume: Keys;
  let admin: IAMClient;
  let victim: { userName: string; accessKeyId: string };
  let dir: string;
  let store: EvidenceStore;
  const incident = `inc-role-${Date.now().toString(36)}`;

  async function userWithKey(iam: IAMClient, userName: string, actions: string[]): Promise<Keys> {
    await iam.send(new CreateUserCommand({ UserName: userName }));
    await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'only', PolicyDocument: policy(actions) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  }

  before(async function () {
    const started = await startS3Server();
    if ('skip' in started) {
      console.log(`    skipped: ${started.skip}`);
      this.skip();
    }
    moto = started as S3TestServer;
    // Set up while moto still accepts anything, then switch its authorization on for every later request.
    const setup = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'setup', secretAccessKey: 'setup' } });
    worker = await userWithKey(setup, 'firebreak-worker', ['sts:AssumeRole']);
    noAssume = await userWithKey(setup, 'firebreak-no-assume', ['iam:ListUsers']);
    const adminKeys = await userWithKey(setup, 'test-admin', ['*']);
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/firebreak-worker` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }],
    };
    await setup.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await setup.send(new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'containment', PolicyDocument: policy(['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys', 'iam:UpdateAccessKey']) }));
    await setup.send(new CreateUserCommand({ UserName: 'leaky' }));
    const { AccessKey } = await setup.send(new CreateAccessKeyCommand({ UserName: 'leaky' }));
    victim = { userName: 'leaky', accessKeyId: AccessKey!.AccessKeyId! };
    setup.destroy();
    const enabled = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    assert.equal(enabled.status, 200);
    admin = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: adminKeys });
  });
  after(async () => {
    admin?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fb-aws-role-'));
    store = await EvidenceStore.open(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const activitiesAs = (keys: Keys, role?: { roleArn: string; externalId?: string; accountId?: string }): Record<string, ActionFn> => {
    const aws = createAwsClients({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      accessKeyId: () => new Secret(keys.accessKeyId),
      secretAccessKey: () => new Secret(keys.secretAccessKey),
      quarantineGroupName: 'firebreak-quarantine',
      ...role,
    });
    return createVendorContainmentActivities({ evidence: { store: async () => store }, aws });
  };
  const run = (activities: Record<string, ActionFn>, action: string, stepId: string, undo = false): Promise<Record<string, unknown>> =>
    new MockActivityEnvironment().run(activities[action]! as (r: unknown) => Promise<Record<string, unknown>>, {
      key: `${incident}/${stepId}${undo ? '/undo' : ''}`,
      incidentId: incident,
      stepId,
      input: { accessKeyId: victim.accessKeyId },
    });
  const keyStatus = async () => (await admin.send(new ListAccessKeysCommand({ UserName: victim.userName }))).AccessKeyMetadata?.[0]?.Status;
  /** The AssumeRole calls moto served, from its own model state. */
  const assumedRoles = async () => {
    const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as { sts?: { AssumedRole?: Array<Record<string, unknown>> } };
    return data.sts?.AssumedRole ?? [];
  };

  it("the worker's own credentials may not touch IAM, so the role is what makes containment work", async () => {
    await assert.rejects(run(activitiesAs(worker), 'cloud.deactivate-access-key', 'no-role'), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.unauthorized');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /aws iam:GetAccessKeyLastUsed denied \(AccessDenied\)/);
      return true;
    });
    assert.equal(await keyStatus(), 'Active');
  });

  it('assumes the role with the configured external id, contains and undoes with its credentials, assuming it once', async () => {
    // accountId: the account check (sts:GetCallerIdentity) also runs with the assumed session.
    const activities = activitiesAs(worker, { roleArn: ROLE_ARN, externalId: EXTERNAL_ID, accountId: ACCOUNT });
    const before = (await assumedRoles()).length;
    await run(activities, 'cloud.deactivate-access-key', 'with-role');
    assert.equal(await keyStatus(), 'Inactive');
    const undone = await run(activities, 'cloud.reactivate-access-key', 'with-role', true);
    assert.equal(undone.restoredToRecorded, true);
    assert.equal(await keyStatus(), 'Active');
    const assumed = (await assumedRoles()).slice(before);
    assert.equal(assumed.length, 1, 'the session is reused until it expires');
    assert.equal(assumed[0]!.role_arn, ROLE_ARN);
    assert.equal(assumed[0]!.session_name, 'firebreak-containment');
    assert.equal(assumed[0]!.external_id, EXTERNAL_ID);
    // Neither the worker's secret nor the session's credentials end up in the evidence.
    const files = await store.listEvidence(incident);
    for (const item of files) {
      const text = await new Response(await store.open(item.evidenceId, { kind: 'system', id: 'test' }, 'check')).text();
      for (const secret of [worker.secretAccessKey, String(assumed[0]!.secret_access_key), String(assumed[0]!.session_token)]) assert.equal(text.includes(secret), false, item.name);
    }
  });

  it('fails at once, naming the role, when the credentials may not assume it', async () => {
    const before = (await assumedRoles()).length;
    await assert.rejects(run(activitiesAs(noAssume, { roleArn: ROLE_ARN, externalId: EXTERNAL_ID }), 'cloud.deactivate-access-key', 'refused-role'), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.unauthorized');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /aws sts:AssumeRole denied \(AccessDenied\): check that the role's trust policy admits these credentials with vendors\.aws\.externalId/);
      return true;
    });
    assert.equal((await assumedRoles()).length, before);
    assert.equal(await keyStatus(), 'Active');
  });

  it('shows the AssumeRole with its external id and the account check in the dry run, before the calls the role then makes', () => {
    const aws = createAwsClients({ region: 'us-east-1', roleArn: ROLE_ARN, externalId: EXTERNAL_ID, accountId: ACCOUNT, quarantineGroupName: 'firebreak-quarantine' });
    const plan = containmentPlanner({ aws })('cloud.deactivate-access-key', { accessKeyId: victim.accessKeyId });
    assert.deepEqual(
      plan?.map((call) => call.operation),
      ['sts:AssumeRole', 'sts:GetCallerIdentity', 'iam:GetAccessKeyLastUsed', 'iam:UpdateAccessKey'],
    );
    assert.deepEqual(plan?.[0]?.request, { RoleArn: ROLE_ARN, RoleSessionName: 'firebreak-containment', ExternalId: EXTERNAL_ID, DurationSeconds: 3600 });
  });

  it('refuses an external id without a role, a role in another account than accountId, and a malformed role ARN, at start-up naming the setting', () => {
    const file = path.join(tempDir('aws-role-config'), 'firebreak.yaml');
    writeFileSync(file, 'vendors:\n  aws:\n    region: us-east-1\n    externalId: some-id\n');
    const problems = (() => {
      try {
        loadConfig({ FIREBREAK_CONFIG: file });
      } catch (error) {
        if (error instanceof ConfigError && error.code === 'config.invalid') return error.problems;
        throw error;
      }
      return assert.fail('expected a ConfigError');
    })();
    assert.ok(problems.some((p) => p.includes('vendors.aws.externalId: an external id goes with the role')), problems.join('\n'));
    writeFileSync(file, `vendors:\n  aws:\n    region: us-east-1\n    roleArn: ${ROLE_ARN}\n    accountId: '111122223333'\n`);
    assert.throws(() => loadConfig({ FIREBREAK_CONFIG: file }), (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.includes('vendors.aws.roleArn: the role is in another account than vendors.aws.accountId')));
    writeFileSync(file, 'vendors:\n  aws:\n    region: us-east-1\n    roleArn: firebreak-containment\n');
    assert.throws(() => loadConfig({ FIREBREAK_CONFIG: file }), (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.includes('vendors.aws.roleArn: expected a role ARN')));
  });
});
