import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, type PublicAccessBlockConfiguration, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import { cloudBlockPublicBucket } from '../../../runbooks/actions/cloud';
import type { VendorAction } from '../vendor-kit/action';
import { awsCall } from './errors';
import type { AwsClients } from './session';

type BucketInput = { bucket: string; reason?: string };
export interface BucketState {
  bucket: string;
  /** The bucket's own Block Public Access configuration (null: none set). */
  publicAccessBlock: Required<Pick<PublicAccessBlockConfiguration, 'BlockPublicAcls' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'RestrictPublicBuckets'>> | null;
}

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

async function readBucket(aws: AwsClients, bucket: string): Promise<BucketState> {
  try {
    const answer = await aws.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    const c = answer.PublicAccessBlockConfiguration ?? {};
    return {
      bucket,
      publicAccessBlock: { BlockPublicAcls: !!c.BlockPublicAcls, IgnorePublicAcls: !!c.IgnorePublicAcls, BlockPublicPolicy: !!c.BlockPublicPolicy, RestrictPublicBuckets: !!c.RestrictPublicBuckets },
    };
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchPublicAccessBlockConfiguration') return { bucket, publicAccessBlock: null };
    return awsCall('s3:GetBucketPublicAccessBlock', `bucket ${bucket}`, () => Promise.reject(error));
  }
}

async function put(aws: AwsClients, bucket: string, configuration: NonNullable<BucketState['publicAccessBlock']>): Promise<void> {
  await awsCall('s3:PutBucketPublicAccessBlock', `bucket ${bucket}`, () => aws.s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: configuration })));
}

/** `cloud.block-public-bucket` on AWS; its undo `cloud.restore-bucket-access` puts back the recorded configuration. */
export function awsBlockPublicBucket(aws: AwsClients): VendorAction<BucketInput, BucketState> {
  return {
    vendor: 'aws',
    name: 'cloud.block-public-bucket',
    input: cloudBlockPublicBucket.input as unknown as z.ZodType<BucketInput>,
    target: (input) => `bucket ${input.bucket}`,
    read: (input) => readBucket(aws, input.bucket),
    run: async (input, current) => {
      if (JSON.stringify(current.publicAccessBlock) !== JSON.stringify(ALL_BLOCKED)) await put(aws, input.bucket, ALL_BLOCKED);
    },
    restore: async (input, recorded, current) => {
      if (!recorded || JSON.stringify(recorded.publicAccessBlock) === JSON.stringify(current.publicAccessBlock)) return;
      if (recorded.publicAccessBlock) await put(aws, input.bucket, recorded.publicAccessBlock);
      else await awsCall('s3:PutBucketPublicAccessBlock', `bucket ${input.bucket}`, () => aws.s3.send(new DeletePublicAccessBlockCommand({ Bucket: input.bucket })));
    },
    plan: (input) => [{ vendor: 'aws', operation: 's3:PutBucketPublicAccessBlock', request: { Bucket: input.bucket, PublicAccessBlockConfiguration: ALL_BLOCKED } }],
    planRestore: (input) => [{ vendor: 'aws', operation: 's3:PutBucketPublicAccessBlock or DeletePublicAccessBlock', request: { Bucket: input.bucket, PublicAccessBlockConfiguration: '<recorded before>' } }],
  };
}
