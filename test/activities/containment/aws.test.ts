import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeInstancesCommand, DescribeVpcsCommand, RunInstancesCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { CreateIPSetCommand, GetIPSetCommand } from '@aws-sdk/client-wafv2';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { type AwsClients, createAwsClients } from '../../../activities/containment/aws/session';
import { containmentPlanner, createVendorContainmentActivities } from '../../../activities/containment/vendors';
import { EvidenceStore } from '../../../evidence';
import { Secret } from '../../../shared/secret';
import type { ActionFn } from '../../../workflows/runbook-interpreter/steps/action';
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3Server } from '../../helpers/s3-server';

/*
 * AWS containment against moto's server (IAM, EC2, WAFv2 and S3 on one loopback port) with the real AWS SDK v3:
 * every assertion reads the resource back through the API, never from what the action returned.
 */

describe('AWS containment (moto)', function () {
  this.timeout(120_000);
  let moto: S3TestServer;
  let aws: AwsClients;
  let dir: string;
  let store: EvidenceStore;
  let activities: Record<string, ActionFn>;
  let n = 0;
  const incident = `inc-${Date.now().toString(36)}`;

  before(async function () {
    const started = await startS3Server();
    if ('skip' in started) {
      console.log(`    skipped: ${started.skip}`);
      this.skip();
    }
    moto = started as S3TestServer;
    aws = createAwsClients({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      accessKeyId: () => new Secret(S3_TEST_CREDENTIALS.accessKeyId),
      secretAccessKey: () => new Secret(S3_TEST_CREDENTIALS.secretAccessKey),
      quarantineGroupName: 'firebreak-quarantine',
    });
  });
  after(async () => moto?.stop());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'fb-aws-'));
    store = await EvidenceStore.open(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const build = (extra: Partial<AwsClients['settings']> = {}) => {
    const clients = { ...aws, settings: { ...aws.settings, ...extra } };
    activities = createVendorContainmentActivities({ evidence: { store: async () => store }, aws: clients, network: 'aws' });
  };
  const run = (action: string, stepId: string, input: Record<string, unknown>, undo = false): Promise<Record<string, unknown>> =>
    new MockActivityEnvironment().run(activities[action]! as (r: unknown) => Promise<Record<string, unknown>>, { key: `${incident}/${stepId}${undo ? '/undo' : ''}`, incidentId: incident, stepId, input });

  async function newKey(): Promise<{ userName: string; accessKeyId: string }> {
    const userName = `leaky-${++n}-${Date.now().toString(36)}`;
    await aws.iam.send(new CreateUserCommand({ UserName: userName }));
    const { AccessKey } = await aws.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    return { userName, accessKeyId: AccessKey!.AccessKeyId! };
  }
  const keyStatus = async (userName: string) => (await aws.iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata?.[0]?.Status;

  it('deactivates a leaked access key and the undo re-activates it, read back from IAM', async () => {
    build();
    const { userName, accessKeyId } = await newKey();
    const done = await run('cloud.deactivate-access-key', 'deactivate-key', { accessKeyId });
    assert.equal(await keyStatus(userName), 'Inactive');
    assert.deepEqual((done.before as { state: unknown }).state, { accessKeyId, userName, status: 'Active' });
    // A retry after the key went inactive keeps the state recorded by the first attempt.
    const retried = await run('cloud.deactivate-access-key', 'deactivate-key', { accessKeyId });
    assert.deepEqual((retried.before as { state: unknown }).state, { accessKeyId, userName, status: 'Active' });
    const undone = await run('cloud.reactivate-access-key', 'deactivate-key', { accessKeyId }, true);
    assert.equal(await keyStatus(userName), 'Active');
    assert.equal(undone.restoredToRecorded, true);
    const names = (await store.listEvidence(incident)).map((item) => item.name);
    assert.ok(names.includes('cloud.deactivate-access-key.before.json') && names.includes('cloud.reactivate-access-key.after.json'));
  });

  it('leaves a key that was already inactive before the incident inactive after the undo', async () => {
    build();
    const { userName, accessKeyId } = await newKey();
    await aws.iam.send(new UpdateAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' }));
    await run('cloud.deactivate-access-key', 'already-off', { accessKeyId });
    await run('cloud.reactivate-access-key', 'already-off', { accessKeyId }, true);
    assert.equal(await keyStatus(userName), 'Inactive');
  });

  it('fails an unknown key at once with a message naming it', async () => {
    build();
    await assert.rejects(run('cloud.deactivate-access-key', 'unknown-key', { accessKeyId: 'AKIAFIREBREAKNOSUCHKEY' }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.target_not_found');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /access key AKIAFIREBREAKNOSUCHKEY not found/);
      return true;
    });
  });

  it("records what a key could reach: its owner's inline policies", async () => {
    build();
    const { userName, accessKeyId } = await newKey();
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::payroll/*' }] };
    await aws.iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'read-payroll', PolicyDocument: JSON.stringify(document) }));
    const reach = await run('cloud.access-key-reach', 'key-reach', { accessKeyId });
    assert.deepEqual(reach.policies, [`user ${userName} (inline): read-payroll`]);
    const stored = JSON.parse(await new Response(await store.open(String(reach.evidenceId), { kind: 'system', id: 'test' }, 'check')).text());
    assert.deepEqual(stored.state.policies[0].document, document);
  });

  it("plans the key's reach as IAM reads only, starting from the key id", async () => {
    const { accessKeyId } = await newKey();
    const plan = containmentPlanner({ aws })('cloud.access-key-reach', { accessKeyId });
    assert.ok(plan && plan.length > 0);
    assert.ok(plan.every((call) => /^iam:(Get|List)/.test(call.operation)), plan.map((c) => c.operation).join(', '));
    assert.deepEqual(plan[0]!.request, { AccessKeyId: accessKeyId });
  });

  it('denies everything to a user with an inline policy and the undo removes it', async () => {
    build();
    const { userName } = await newKey();
    await run('cloud.deny-principal', 'deny-user', { user: userName });
    const policy = await aws.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: 'firebreak-deny-all' }));
    const statements = JSON.parse(decodeURIComponent(policy.PolicyDocument!)).Statement as Array<{ Effect: string; Condition?: unknown }>;
    assert.ok(statements.every((s) => s.Effect === 'Deny'));
    assert.ok(statements.some((s) => JSON.stringify(s.Condition ?? {}).includes('aws:TokenIssueTime')));
    const undone = await run('cloud.allow-principal', 'deny-user', { user: userName }, true);
    assert.equal(undone.restoredToRecorded, true);
    await assert.rejects(aws.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: 'firebreak-deny-all' })), { name: 'NoSuchEntityException' });
  });

  it('denies everything to a role, and the undo removes only that policy', async () => {
    build();
    const roleName = `deploy-${++n}-${Date.now().toString(36)}`;
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await aws.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const own = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] };
    await aws.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'own', PolicyDocument: JSON.stringify(own) }));
    const policies = async () => (await aws.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames!.sort();
    await run('cloud.deny-principal', 'deny-role', { role: roleName });
    assert.deepEqual(await policies(), ['firebreak-deny-all', 'own']);
    const denied = JSON.parse(decodeURIComponent((await aws.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'firebreak-deny-all' }))).PolicyDocument!)) as { Statement: Array<{ Effect: string }> };
    assert.ok(denied.Statement.every((statement) => statement.Effect === 'Deny'));
    await run('cloud.allow-principal', 'deny-role', { role: roleName }, true);
    assert.deepEqual(await policies(), ['own']);
  });

  it('isolates an instance in a quarantine group and the undo restores exactly the groups it had', async () => {
    build();
    const vpcId = (await aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId!;
    const groups = await Promise.all(
      ['web', 'ssh'].map(async (name) => (await aws.ec2.send(new CreateSecurityGroupCommand({ GroupName: `${name}-${Date.now()}`, Description: name, VpcId: vpcId }))).GroupId!),
    );
    const started = await aws.ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, SecurityGroupIds: groups }));
    const instanceId = started.Instances![0]!.InstanceId!;
    const groupsNow = async () => ((await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!.Instances![0]!.SecurityGroups ?? []).map((g) => g.GroupId!).sort();
    const before = await groupsNow();
    await run('cloud.isolate-instance', 'isolate', { instanceId });
    const isolated = await groupsNow();
    assert.equal(isolated.length, 1);
    assert.ok(!before.includes(isolated[0]!));
    await run('cloud.release-instance', 'isolate', { instanceId }, true);
    assert.deepEqual(await groupsNow(), before);
  });

  it('adds an address to the WAF IP set and the undo removes only what it added', async () => {
    const created = await aws.waf.send(new CreateIPSetCommand({ Name: `blocked-${Date.now()}`, Scope: 'REGIONAL', IPAddressVersion: 'IPV4', Addresses: ['198.51.100.7/32'] }));
    const set = { name: created.Summary!.Name!, id: created.Summary!.Id! };
    build({ wafIpSets: { scope: 'REGIONAL', ipv4: set } });
    const addresses = async () => (await aws.waf.send(new GetIPSetCommand({ Name: set.name, Id: set.id, Scope: 'REGIONAL' }))).IPSet!.Addresses!.sort();
    await run('network.block-ip', 'block-new', { ip: '203.0.113.9' });
    await run('network.block-ip', 'block-old', { ip: '198.51.100.7' });
    assert.deepEqual(await addresses(), ['198.51.100.7/32', '203.0.113.9/32']);
    await run('network.unblock-ip', 'block-old', { ip: '198.51.100.7' }, true);
    await run('network.unblock-ip', 'block-new', { ip: '203.0.113.9' }, true);
    assert.deepEqual(await addresses(), ['198.51.100.7/32']);
  });

  it("acts only in vendors.aws.accountId: credentials of another account are refused before anything changes", async () => {
    build({ accountId: '123456789012' });
    const { userName, accessKeyId } = await newKey();
    await run('cloud.deactivate-access-key', 'right-account', { accessKeyId });
    assert.equal(await keyStatus(userName), 'Inactive');
    build({ accountId: '111122223333' });
    const other = await newKey();
    const evidence = (await store.listEvidence(incident)).length;
    await assert.rejects(run('cloud.deactivate-access-key', 'wrong-account', { accessKeyId: other.accessKeyId }), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, 'containment.unauthorized');
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /aws credentials act in account 123456789012, not vendors\.aws\.accountId 111122223333; nothing was changed/);
      return true;
    });
    assert.equal(await keyStatus(other.userName), 'Active');
    assert.equal((await store.listEvidence(incident)).length, evidence, 'refused before the state was read or recorded');
  });

  it('blocks public access on a bucket that had a partial block, and the undo restores exactly that partial block', async () => {
    build();
    const bucket = await moto.createBucket();
    const partial = { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false };
    await aws.s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: partial }));
    await run('cloud.block-public-bucket', 'block-partial', { bucket });
    const blocked = await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    assert.deepEqual(blocked.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const undone = await run('cloud.restore-bucket-access', 'block-partial', { bucket }, true);
    assert.equal(undone.restoredToRecorded, true);
    assert.deepEqual((await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration, partial);
  });

  it('blocks public access on a bucket and the undo restores the configuration recorded before (none)', async () => {
    build();
    const bucket = await moto.createBucket();
    await run('cloud.block-public-bucket', 'block-bucket', { bucket });
    const blocked = await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    assert.deepEqual(blocked.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const undone = await run('cloud.restore-bucket-access', 'block-bucket', { bucket }, true);
    assert.equal(undone.restoredToRecorded, true);
    await assert.rejects(aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })), { name: 'NoSuchPublicAccessBlockConfiguration' });
  });
});
