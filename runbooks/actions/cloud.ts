import { z } from 'zod';
import { defineAction, TemplateString, Text } from './define';

/*
 * Cloud containment capabilities. Config chooses the vendor (`containment.cloud: aws`); the inputs name what the
 * alert names. Each forward action records the target's state before it acts, and its undo puts that state back.
 */

const AccessKeyId = z.union([z.string().regex(/^(AKIA|ASIA)[A-Z0-9]{12,124}$/, 'expected an access key id like AKIA...'), TemplateString]);
const KeyInput = z.strictObject({ accessKeyId: AccessKeyId, reason: Text.optional() });

const PrincipalName = z.union([z.string().regex(/^[\w+=,.@-]{1,128}$/, 'expected an IAM user or role name'), TemplateString]);
const PrincipalInput = z
  .strictObject({ user: PrincipalName.optional(), role: PrincipalName.optional(), reason: Text.optional() })
  .refine((input) => (input.user === undefined) !== (input.role === undefined), { message: 'name exactly one of user or role', path: ['user'] });

const InstanceInput = z.strictObject({ instanceId: z.union([z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an instance id like i-0abc...'), TemplateString]), reason: Text.optional() });
const BucketInput = z.strictObject({ bucket: z.union([z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'), TemplateString]), reason: Text.optional() });

export const cloudDeactivateAccessKey = defineAction({
  name: 'cloud.deactivate-access-key',
  description: 'Deactivate a cloud access key (AWS: UpdateAccessKey Inactive). Undo puts back the status recorded before.',
  input: KeyInput,
  undo: 'cloud.reactivate-access-key',
  disclosure: false,
});
export const cloudReactivateAccessKey = defineAction({
  name: 'cloud.reactivate-access-key',
  description: 'Put an access key back to the status recorded before it was deactivated (Active when there is no record).',
  input: KeyInput,
  disclosure: false,
});
export const cloudAccessKeyReach = defineAction({
  name: 'cloud.access-key-reach',
  description: "Record what an access key could reach: its owner, the owner's policies (attached, inline, through groups) and when it was last used.",
  input: z.strictObject({ accessKeyId: AccessKeyId }),
  disclosure: false,
});
export const cloudDenyPrincipal = defineAction({
  name: 'cloud.deny-principal',
  description: 'Attach an explicit deny-all inline policy to an IAM user or role, also refusing sessions issued before now. Undo removes it.',
  input: PrincipalInput,
  undo: 'cloud.allow-principal',
  disclosure: false,
});
export const cloudAllowPrincipal = defineAction({
  name: 'cloud.allow-principal',
  description: 'Remove the deny-all inline policy (or put back the one recorded before).',
  input: PrincipalInput,
  disclosure: false,
});
export const cloudIsolateInstance = defineAction({
  name: 'cloud.isolate-instance',
  description: 'Replace an instance’s security groups with a quarantine group (created on demand, no rules). Undo restores the exact groups recorded.',
  input: InstanceInput,
  undo: 'cloud.release-instance',
  disclosure: false,
});
export const cloudReleaseInstance = defineAction({
  name: 'cloud.release-instance',
  description: 'Give an isolated instance back the security groups recorded before isolation.',
  input: InstanceInput,
  disclosure: false,
});
export const cloudBlockPublicBucket = defineAction({
  name: 'cloud.block-public-bucket',
  description: 'Turn on all four S3 Block Public Access settings on a bucket. Undo restores the configuration recorded before.',
  input: BucketInput,
  undo: 'cloud.restore-bucket-access',
  disclosure: false,
});
export const cloudRestoreBucketAccess = defineAction({
  name: 'cloud.restore-bucket-access',
  description: 'Put back the bucket’s Block Public Access configuration recorded before (none: remove it).',
  input: BucketInput,
  disclosure: false,
});

export const cloudActions = [
  cloudDeactivateAccessKey,
  cloudReactivateAccessKey,
  cloudAccessKeyReach,
  cloudDenyPrincipal,
  cloudAllowPrincipal,
  cloudIsolateInstance,
  cloudReleaseInstance,
  cloudBlockPublicBucket,
  cloudRestoreBucketAccess,
];
