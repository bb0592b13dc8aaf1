import path from 'node:path';
import { EvidenceStore, type EvidenceStoreOptions } from '../evidence';
import type { Config } from './config';
import { resolveSecret } from './secret';

/**
 * The configured evidence store, the one the worker, the HTTP service and the CLI all use: `<data>/evidence` by
 * default, or the S3-compatible bucket. Throws `config.secret_unresolved` naming the setting when a credential
 * reference does not resolve, and `evidence.store_unavailable` when the bucket cannot be reached.
 */
export async function openEvidenceStore(config: Config, opts: EvidenceStoreOptions = {}): Promise<EvidenceStore> {
  const { store, s3 } = config.evidence;
  if (store === 'local' || !s3) return EvidenceStore.open(path.join(config.dataDir, 'evidence'), opts);
  const accessKeyId = s3.accessKeyId === undefined ? undefined : resolveSecret('evidence.s3.accessKeyId', s3.accessKeyId);
  const secretAccessKey = s3.secretAccessKey === undefined ? undefined : resolveSecret('evidence.s3.secretAccessKey', s3.secretAccessKey);
  // Loaded only when a bucket is configured: the AWS SDK is large, and a local store never needs it.
  const { S3BucketBackend } = require('../evidence/s3-bucket') as typeof import('../evidence/s3-bucket');
  const backend = await S3BucketBackend.connect({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    prefix: s3.prefix,
    objectLock: s3.objectLock,
    spoolDir: path.join(config.dataDir, 'tmp', 'evidence-upload'),
    credentials: accessKeyId && secretAccessKey ? async () => ({ accessKeyId: accessKeyId.reveal(), secretAccessKey: secretAccessKey.reveal() }) : undefined,
  });
  return new EvidenceStore(backend, opts);
}

/**
 * Opens the configured store on first use and shares it. A failed open (the bucket unreachable at that moment) is not
 * kept, so the next use tries again rather than failing until restart.
 */
export function evidenceStoreOpener(config: Config, opts: EvidenceStoreOptions = {}): () => Promise<EvidenceStore> {
  let opened: Promise<EvidenceStore> | undefined;
  return () =>
    (opened ??= openEvidenceStore(config, opts).catch((error: unknown) => {
      opened = undefined;
      throw error;
    }));
}
