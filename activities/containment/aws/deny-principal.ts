import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { z } from 'zod';
import { cloudDenyPrincipal } from '../../../runbooks/actions/cloud';
import type { VendorAction } from '../vendor-kit/action';
import { awsCall } from './errors';
import type { AwsClients } from './session';

type PrincipalInput = { user?: string; role?: string; reason?: string };
export interface PrincipalState {
  principal: string;
  /** The inline policy named DENY_POLICY as it was (null: there was none). */
  denyPolicy: unknown;
}

export const DENY_POLICY = 'firebreak-deny-all';

/**
 * Deny everything, and deny any request signed with a session issued before now: the second statement is what the
 * AWS console's "revoke active sessions" writes, so temporary credentials already handed out stop working too.
 */
export function denyAllDocument(issuedBefore: Date): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'FirebreakDenyAll', Effect: 'Deny', Action: '*', Resource: '*' },
      { Sid: 'FirebreakRevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': issuedBefore.toISOString() } } },
    ],
  };
}

function principalOf(input: PrincipalInput): { kind: 'user' | 'role'; name: string } {
  return input.user ? { kind: 'user', name: input.user } : { kind: 'role', name: input.role! };
}

async function readPolicy(aws: AwsClients, input: PrincipalInput): Promise<PrincipalState> {
  const { kind, name } = principalOf(input);
  const principal = `${kind} ${name}`;
  try {
    const answer =
      kind === 'user'
        ? await aws.iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: DENY_POLICY }))
        : await aws.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: DENY_POLICY }));
    return { principal, denyPolicy: JSON.parse(decodeURIComponent(answer.PolicyDocument ?? 'null')) };
  } catch (error) {
    // NoSuchEntity names either the principal or the policy; tell them apart by asking for the principal.
    if (!/NoSuchEntity/.test((error as { name?: string }).name ?? '')) return awsCall(`iam:Get${kind === 'user' ? 'User' : 'Role'}Policy`, principal, () => Promise.reject(error));
    await awsCall<unknown>(`iam:Get${kind === 'user' ? 'User' : 'Role'}`, principal, () =>
      kind === 'user' ? aws.iam.send(new GetUserCommand({ UserName: name })) : aws.iam.send(new GetRoleCommand({ RoleName: name })),
    );
    return { principal, denyPolicy: null };
  }
}

async function putPolicy(aws: AwsClients, input: PrincipalInput, document: unknown): Promise<void> {
  const { kind, name } = principalOf(input);
  const PolicyDocument = JSON.stringify(document);
  await awsCall(`iam:Put${kind === 'user' ? 'User' : 'Role'}Policy`, `${kind} ${name}`, () =>
    kind === 'user'
      ? aws.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: DENY_POLICY, PolicyDocument }))
      : aws.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: DENY_POLICY, PolicyDocument })),
  );
}

async function deletePolicy(aws: AwsClients, input: PrincipalInput): Promise<void> {
  const { kind, name } = principalOf(input);
  await awsCall(`iam:Delete${kind === 'user' ? 'User' : 'Role'}Policy`, `${kind} ${name}`, () =>
    kind === 'user' ? aws.iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: DENY_POLICY })) : aws.iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: DENY_POLICY })),
  );
}

/** `cloud.deny-principal` on AWS; its undo is `cloud.allow-principal`. */
export function awsDenyPrincipal(aws: AwsClients, now: () => Date = () => new Date()): VendorAction<PrincipalInput, PrincipalState> {
  const planTarget = (input: PrincipalInput) => principalOf(input);
  return {
    vendor: 'aws',
    name: 'cloud.deny-principal',
    input: cloudDenyPrincipal.input as unknown as z.ZodType<PrincipalInput>,
    target: (input) => `${principalOf(input).kind} ${principalOf(input).name}`,
    read: (input) => readPolicy(aws, input),
    // A retry after the policy went on re-puts it with a later cut-off: sessions issued in between are refused too.
    run: (input) => putPolicy(aws, input, denyAllDocument(now())),
    restore: async (input, recorded, current) => {
      const before = recorded?.denyPolicy ?? null;
      if (before === null) {
        if (current.denyPolicy !== null) await deletePolicy(aws, input);
      } else await putPolicy(aws, input, before);
    },
    plan: (input) => {
      const { kind, name } = planTarget(input);
      return [{ vendor: 'aws', operation: `iam:Put${kind === 'user' ? 'User' : 'Role'}Policy`, request: { [kind === 'user' ? 'UserName' : 'RoleName']: name, PolicyName: DENY_POLICY, PolicyDocument: denyAllDocument(now()) } }];
    },
    planRestore: (input) => {
      const { kind, name } = planTarget(input);
      return [{ vendor: 'aws', operation: `iam:Delete${kind === 'user' ? 'User' : 'Role'}Policy`, request: { [kind === 'user' ? 'UserName' : 'RoleName']: name, PolicyName: DENY_POLICY }, when: 'there was no such policy before' }];
    },
  };
}
