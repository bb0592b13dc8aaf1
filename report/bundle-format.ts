import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';

/** Paths inside an export bundle. The manifest lists every other file with its SHA-256. */
export const BUNDLE = {
  manifest: 'manifest.json',
  chain: 'audit/chain.jsonl',
  checkpoints: 'audit/checkpoints.jsonl',
  incidentSeqs: 'audit/incident-records.json',
  publicKey: 'audit/checkpoint-public-key.pem',
  evidenceDir: 'evidence',
} as const;

export const BundleManifest = z.object({
  format: z.literal('firebreak.export/1'),
  incidentId: z.string().min(1),
  createdAt: z.string(),
  /** The checkpoint that ends `audit/chain.jsonl`: it commits to every record the bundle carries. */
  checkpoint: z.object({ size: z.number().int().positive(), head: z.string() }),
  files: z.array(z.object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() })),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}
