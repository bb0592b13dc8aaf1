import { z } from 'zod';

const SecretRef = z.string().min(1);
/** Env values arrive as strings; `z.coerce.boolean()` would read "false" as true. */
const Flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

/** An S3-compatible bucket holding the evidence (AWS S3, MinIO, Ceph RGW, ...). */
export const EvidenceS3Config = z
  .object({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)'),
    region: z.string().min(1).default('us-east-1'),
    /** Absent: AWS S3 itself. */
    endpoint: z
      .string()
      .url()
      .refine((url) => /^https?:/.test(url), 'the endpoint is an http or https URL')
      .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), 'put credentials in accessKeyId and secretAccessKey (as secret references), not in the URL')
      .optional(),
    /** Most self-hosted servers need path-style URLs. */
    forcePathStyle: Flag.default(false),
    /** Keys start with this, e.g. `firebreak/prod/`, so one bucket can hold several stores. */
    prefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]*$/, 'use letters, digits and !_.*\'()/- in the prefix').refine((p) => !p.startsWith('/'), 'the prefix does not start with /').optional(),
    /** Secret references; both absent: the AWS SDK's default chain (its environment variables, an instance role). */
    accessKeyId: SecretRef.optional(),
    secretAccessKey: SecretRef.optional(),
    /** Object Lock retention for every object written; the bucket must have been created with Object Lock enabled. */
    objectLock: z
      .object({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), days: z.coerce.number().int().min(1).max(36_500) })
      .optional(),
  })
  .refine((s3) => (s3.accessKeyId === undefined) === (s3.secretAccessKey === undefined), {
    message: 'set both accessKeyId and secretAccessKey, or neither (to use the AWS SDK default credentials)',
    path: ['secretAccessKey'],
  });
export type EvidenceS3Config = z.infer<typeof EvidenceS3Config>;

/** Where evidence is kept: `<data>/evidence` by default, or an S3-compatible bucket. */
export const EvidenceConfig = z
  .object({
    store: z.enum(['local', 's3']).default('local'),
    s3: EvidenceS3Config.optional(),
  })
  .refine((evidence) => evidence.store !== 's3' || evidence.s3 !== undefined, {
    message: 'store s3 needs a bucket (FIREBREAK_EVIDENCE_S3_BUCKET or evidence.s3.bucket)',
    path: ['s3', 'bucket'],
  })
  .default({ store: 'local' });
export type EvidenceConfig = z.infer<typeof EvidenceConfig>;
