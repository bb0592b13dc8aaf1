import { GetAccessKeyLastUsedCommand, ListAccessKeysCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import type { z } from 'zod';
import { cloudDeactivateAccessKey } from '../../../runbooks/actions/cloud';
import type { VendorAction } from '../vendor-kit/action';
import { awsCall } from './errors';
import type { AwsClients } from './session';

type KeyInput = z.infer<typeof cloudDeactivateAccessKey.input> & { accessKeyId: string };
export interface AccessKeyState {
  accessKeyId: string;
  userName: string;
  status: 'Active' | 'Inactive';
}

/** The key's owner (GetAccessKeyLastUsed names it, so the alert needs only the key id) and its current status. */
export async function readAccessKey(aws: AwsClients, accessKeyId: string): Promise<AccessKeyState> {
  const target = `access key ${accessKeyId}`;
  const used = await awsCall('iam:GetAccessKeyLastUsed', target, () => aws.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })));
  const userName = used.UserName;
  if (!userName) return awsCall('iam:GetAccessKeyLastUsed', target, () => Promise.reject(Object.assign(new Error('no owner'), { name: 'NoSuchEntity' })));
  const keys = await awsCall('iam:ListAccessKeys', target, () => aws.iam.send(new ListAccessKeysCommand({ UserName: userName })));
  const key = keys.AccessKeyMetadata?.find((k) => k.AccessKeyId === accessKeyId);
  if (!key) return awsCall('iam:ListAccessKeys', target, () => Promise.reject(Object.assign(new Error('not listed'), { name: 'NoSuchEntity' })));
  return { accessKeyId, userName, status: key.Status === 'Inactive' ? 'Inactive' : 'Active' };
}

async function setStatus(aws: AwsClients, state: AccessKeyState, status: AccessKeyState['status']): Promise<void> {
  if (state.status === status) return;
  await awsCall('iam:UpdateAccessKey', `access key ${state.accessKeyId}`, () =>
    aws.iam.send(new UpdateAccessKeyCommand({ UserName: state.userName, AccessKeyId: state.accessKeyId, Status: status })),
  );
}

/** `cloud.deactivate-access-key` on AWS; its undo is `cloud.reactivate-access-key`. */
export function awsDeactivateAccessKey(aws: AwsClients): VendorAction<KeyInput, AccessKeyState> {
  return {
    vendor: 'aws',
    name: 'cloud.deactivate-access-key',
    input: cloudDeactivateAccessKey.input as unknown as z.ZodType<KeyInput>,
    target: (input) => `access key ${input.accessKeyId}`,
    read: (input) => readAccessKey(aws, input.accessKeyId),
    run: (_input, current) => setStatus(aws, current, 'Inactive'),
    restore: (_input, recorded, current) => setStatus(aws, current, recorded?.status ?? 'Active'),
    plan: (input) => [
      { vendor: 'aws', operation: 'iam:GetAccessKeyLastUsed', request: { AccessKeyId: input.accessKeyId } },
      { vendor: 'aws', operation: 'iam:UpdateAccessKey', request: { UserName: '<owner>', AccessKeyId: input.accessKeyId, Status: 'Inactive' }, when: 'the key is Active' },
    ],
    planRestore: (input) => [
      { vendor: 'aws', operation: 'iam:UpdateAccessKey', request: { UserName: '<owner>', AccessKeyId: input.accessKeyId, Status: '<status recorded before>' }, when: 'the status differs' },
    ],
  };
}
