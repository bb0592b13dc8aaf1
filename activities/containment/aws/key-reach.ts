import {
  GetAccessKeyLastUsedCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import type { PlannedCall } from '../vendor-kit/action';
import { awsCall } from './errors';
import type { AwsClients } from './session';

/**
 * What an access key could reach: every policy document that applies to its owner (attached managed policies,
 * inline policies, and both through each group), with when and where the key was last used. Read-only; the
 * `cloud.access-key-reach` activity keeps it as evidence.
 */

export interface PolicyReach {
  source: string;
  name: string;
  document: unknown;
}

export interface KeyReach {
  accessKeyId: string;
  userName: string;
  lastUsed?: { at?: string; service?: string; region?: string };
  groups: string[];
  policies: PolicyReach[];
}

/** The reads `readKeyReach` makes, for the dry run: nothing is changed. */
export function keyReachPlan(accessKeyId: string): PlannedCall[] {
  const owner = { UserName: '<owner>' };
  const call = (operation: string, request: Record<string, string>, when?: string): PlannedCall => ({ vendor: 'aws', operation, request, ...(when ? { when } : {}) });
  return [
    call('iam:GetAccessKeyLastUsed', { AccessKeyId: accessKeyId }),
    call('iam:ListAttachedUserPolicies', owner),
    call('iam:ListUserPolicies', owner),
    call('iam:GetUserPolicy', { ...owner, PolicyName: '<name>' }, 'for each inline policy'),
    call('iam:ListGroupsForUser', owner),
    call('iam:ListAttachedGroupPolicies', { GroupName: '<group>' }, 'for each group'),
    call('iam:ListGroupPolicies', { GroupName: '<group>' }, 'for each group'),
    call('iam:GetGroupPolicy', { GroupName: '<group>', PolicyName: '<name>' }, "for each group's inline policy"),
    call('iam:GetPolicy', { PolicyArn: '<arn>' }, 'for each attached managed policy'),
    call('iam:GetPolicyVersion', { PolicyArn: '<arn>', VersionId: '<default>' }, 'for each attached managed policy'),
  ];
}

const decode = (document: string | undefined): unknown => (document ? JSON.parse(decodeURIComponent(document)) : null);

export async function readKeyReach(aws: AwsClients, accessKeyId: string): Promise<KeyReach> {
  const target = `access key ${accessKeyId}`;
  const call = <T>(operation: string, fn: () => Promise<T>) => awsCall(operation, target, fn);
  const used = await call('iam:GetAccessKeyLastUsed', () => aws.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })));
  const userName = used.UserName!;
  const policies: PolicyReach[] = [];
  const managed = async (source: string, arn: string, name: string) => {
    const policy = await call('iam:GetPolicy', () => aws.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
    const version = await call('iam:GetPolicyVersion', () => aws.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId })));
    policies.push({ source, name, document: decode(version.PolicyVersion?.Document) });
  };
  for (const p of (await call('iam:ListAttachedUserPolicies', () => aws.iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName })))).AttachedPolicies ?? []) {
    await managed(`user ${userName} (attached)`, p.PolicyArn!, p.PolicyName!);
  }
  for (const name of (await call('iam:ListUserPolicies', () => aws.iam.send(new ListUserPoliciesCommand({ UserName: userName })))).PolicyNames ?? []) {
    const inline = await call('iam:GetUserPolicy', () => aws.iam.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name })));
    policies.push({ source: `user ${userName} (inline)`, name, document: decode(inline.PolicyDocument) });
  }
  const groups = (await call('iam:ListGroupsForUser', () => aws.iam.send(new ListGroupsForUserCommand({ UserName: userName })))).Groups?.map((g) => g.GroupName!) ?? [];
  for (const group of groups) {
    for (const p of (await call('iam:ListAttachedGroupPolicies', () => aws.iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: group })))).AttachedPolicies ?? []) {
      await managed(`group ${group} (attached)`, p.PolicyArn!, p.PolicyName!);
    }
    for (const name of (await call('iam:ListGroupPolicies', () => aws.iam.send(new ListGroupPoliciesCommand({ GroupName: group })))).PolicyNames ?? []) {
      const inline = await call('iam:GetGroupPolicy', () => aws.iam.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: name })));
      policies.push({ source: `group ${group} (inline)`, name, document: decode(inline.PolicyDocument) });
    }
  }
  const last = used.AccessKeyLastUsed;
  return {
    accessKeyId,
    userName,
    ...(last?.LastUsedDate ? { lastUsed: { at: last.LastUsedDate.toISOString(), service: last.ServiceName, region: last.Region } } : {}),
    groups,
    policies,
  };
}
