import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { ApplicationFailure } from '@temporalio/activity';
import { VendorFailureType } from '../vendor-kit/failures';
import type { PlannedCall } from '../vendor-kit/action';
import type { SecretValue } from '../vendor-kit/oauth-token';
import { awsCall } from './errors';

/**
 * The AWS clients the containment actions use, built once per worker from `vendors.aws`. Credentials are the
 * configured access key (secret references, resolved on each refresh) or the SDK's default chain; with `roleArn` the
 * worker assumes that role (with the external id the role's trust policy demands) and the SDK refreshes the session
 * before it expires. Nothing here is logged or returned.
 */

export interface AwsSettings {
  region: string;
  /** An API endpoint other than AWS's own (a VPC endpoint, or moto in tests). */
  endpoint?: string;
  accessKeyId?: () => SecretValue;
  secretAccessKey?: () => SecretValue;
  roleArn?: string;
  externalId?: string;
  /** The account containment acts in; an action refuses to run when the credentials act in another (account.ts). */
  accountId?: string;
  /** Name of the security group created on demand (per VPC) to isolate instances. */
  quarantineGroupName: string;
  /** The WAFv2 IP sets `network.block-ip` adds to, one per address family. */
  wafIpSets?: { scope: 'REGIONAL' | 'CLOUDFRONT'; ipv4?: { name: string; id: string }; ipv6?: { name: string; id: string } };
}

export interface AwsClients {
  settings: AwsSettings;
  iam: IAMClient;
  ec2: EC2Client;
  s3: S3Client;
  waf: WAFV2Client;
  sts: STSClient;
}

const SESSION_NAME = 'firebreak-containment';

type Credentials = () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;

function baseCredentials(settings: AwsSettings): Credentials | undefined {
  const { accessKeyId, secretAccessKey } = settings;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return async () => ({ accessKeyId: accessKeyId().reveal(), secretAccessKey: secretAccessKey().reveal() });
}

/**
 * A refused AssumeRole fails the step at once as `containment.unauthorized` naming the role (a wrong external id or a
 * trust policy without this principal is configuration, not a passing fault); throttling and 5xx are retried.
 */
function assumedRole(settings: AwsSettings, roleArn: string): Credentials {
  const sts = new STSClient({ region: settings.region, endpoint: settings.endpoint, credentials: baseCredentials(settings), maxAttempts: 1 });
  const hint = `check that the role's trust policy admits these credentials${settings.externalId ? ' with vendors.aws.externalId' : ' (set vendors.aws.externalId if it demands one)'}`;
  return async () => {
    const { Credentials: issued } = await awsCall(
      'sts:AssumeRole',
      `role ${roleArn}`,
      () => sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, ExternalId: settings.externalId, DurationSeconds: 3600 })),
      hint,
    );
    if (!issued?.AccessKeyId || !issued.SecretAccessKey) {
      throw ApplicationFailure.create({ type: VendorFailureType.Unauthorized, message: `aws sts:AssumeRole into ${roleArn} returned no credentials`, nonRetryable: true });
    }
    return { accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken, expiration: issued.Expiration };
  };
}

/** What a dry run shows before an action's own calls: the AssumeRole (an external id is no secret) and the account check. */
export function assumeRolePlan(settings: AwsSettings): PlannedCall[] {
  const calls: PlannedCall[] = [];
  if (settings.roleArn) {
    const request = { RoleArn: settings.roleArn, RoleSessionName: SESSION_NAME, ...(settings.externalId ? { ExternalId: settings.externalId } : {}), DurationSeconds: 3600 };
    calls.push({ vendor: 'aws', operation: 'sts:AssumeRole', request, when: 'no session from an earlier call is still valid' });
  }
  if (settings.accountId) calls.push({ vendor: 'aws', operation: 'sts:GetCallerIdentity', request: {}, when: `once per worker: refuse unless the account is ${settings.accountId}` });
  return calls;
}

/**
 * One assumed session for all the clients: each SDK client caches credentials on its own, so without this every
 * client (IAM, EC2, STS...) would assume the role again. Renewed five minutes before it expires, as the SDK would.
 */
function sharedSession(assume: Credentials): Credentials {
  let held: Awaited<ReturnType<Credentials>> | undefined;
  let pending: ReturnType<Credentials> | undefined;
  return async () => {
    if (held && (!held.expiration || held.expiration.getTime() - Date.now() > 5 * 60_000)) return held;
    pending ??= assume().finally(() => {
      pending = undefined;
    });
    held = await pending;
    return held;
  };
}

export function createAwsClients(settings: AwsSettings): AwsClients {
  const credentials = settings.roleArn ? sharedSession(assumedRole(settings, settings.roleArn)) : baseCredentials(settings);
  const common = { region: settings.region, endpoint: settings.endpoint, credentials, maxAttempts: 1 };
  return {
    settings,
    // The step's retry policy retries (and honours throttling); the SDK's own retries would hide attempts from it.
    iam: new IAMClient(common),
    ec2: new EC2Client(common),
    s3: new S3Client({ ...common, forcePathStyle: settings.endpoint !== undefined }),
    waf: new WAFV2Client(common),
    sts: new STSClient(common),
  };
}
