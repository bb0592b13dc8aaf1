import {

  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import type { z } from 'zod';
import { cloudIsolateInstance } from '../../../runbooks/actions/cloud';
import type { VendorAction } from '../vendor-kit/action';
import { awsCall } from './errors';
import type { AwsClients } from './session';

type InstanceInput = { instanceId: string; reason?: string };
export interface InstanceState {
  instanceId: string;
  vpcId: string;
  /** The instance's security groups, sorted (the order carries no meaning). */
  groupIds: string[];
}

async function readInstance(aws: AwsClients, instanceId: string): Promise<InstanceState> {
  const target = `instance ${instanceId}`;
  const answer = await awsCall('ec2:DescribeInstances', target, () => aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] })));
  const instance = answer.Reservations?.[0]?.Instances?.[0];
  if (!instance?.VpcId) return awsCall('ec2:DescribeInstances', target, () => Promise.reject(Object.assign(new Error('no VPC instance'), { name: 'InvalidInstanceID.NotFound' })));
  return { instanceId, vpcId: instance.VpcId, groupIds: (instance.SecurityGroups ?? []).map((g) => g.GroupId!).sort() };
}

/** The VPC's quarantine group: no inbound rules and its default allow-all egress rule removed, created on first use. */
async function quarantineGroup(aws: AwsClients, vpcId: string): Promise<string> {
  const name = aws.settings.quarantineGroupName;
  const target = `security group ${name} in ${vpcId}`;
  const found = await awsCall('ec2:DescribeSecurityGroups', target, () =>
    aws.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: [name] }] })),
  );
  const existing = found.SecurityGroups?.[0]?.GroupId;
  if (existing) return existing;
  const created = await awsCall('ec2:CreateSecurityGroup', target, () =>
    aws.ec2.send(new CreateSecurityGroupCommand({ GroupName: name, VpcId: vpcId, Description: 'Firebreak quarantine: no traffic in or out' })),
  );
  const groupId = created.GroupId!;
  const allowAll = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
  await awsCall('ec2:RevokeSecurityGroupEgress', target, () => aws.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: allowAll })));
  return groupId;
}

async function setGroups(aws: AwsClients, instanceId: string, groupIds: string[]): Promise<void> {
  await awsCall('ec2:ModifyInstanceAttribute', `instance ${instanceId}`, () => aws.ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, Groups: groupIds })));
}

/** `cloud.isolate-instance` on AWS; its undo `cloud.release-instance` restores the exact groups recorded. */
export function awsIsolateInstance(aws: AwsClients): VendorAction<InstanceInput, InstanceState> {
  return {
    vendor: 'aws',
    name: 'cloud.isolate-instance',
    input: cloudIsolateInstance.input as unknown as z.ZodType<InstanceInput>,
    target: (input) => `instance ${input.instanceId}`,
    read: (input) => readInstance(aws, input.instanceId),
    run: async (input, current) => {
      const quarantine = await quarantineGroup(aws, current.vpcId);
      if (current.groupIds.length !== 1 || current.groupIds[0] !== quarantine) await setGroups(aws, input.instanceId, [quarantine]);
    },
    restore: async (input, recorded, current) => {
      if (!recorded) return; // nothing says which groups it had: a person chooses them
      if (recorded.groupIds.join() !== current.groupIds.join()) await setGroups(aws, input.instanceId, recorded.groupIds);
    },
    plan: (input) => [
      { vendor: 'aws', operation: 'ec2:DescribeSecurityGroups', request: { Filters: [{ Name: 'group-name', Values: [aws.settings.quarantineGroupName] }] } },
      { vendor: 'aws', operation: 'ec2:CreateSecurityGroup', request: { GroupName: aws.settings.quarantineGroupName, VpcId: '<the instance VPC>' }, when: 'the VPC has none yet' },
      { vendor: 'aws', operation: 'ec2:ModifyInstanceAttribute', request: { InstanceId: input.instanceId, Groups: ['<quarantine group>'] } },
    ],
    planRestore: (input) => [{ vendor: 'aws', operation: 'ec2:ModifyInstanceAttribute', request: { InstanceId: input.instanceId, Groups: ['<groups recorded before>'] } }],
  };
}

