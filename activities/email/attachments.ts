import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { EvidenceError, type EvidenceItem, type EvidenceStore } from '../../evidence';
import { FailureType } from '../../workflows/failure-types';
import type { AttachmentRef } from '../../workflows/notices/approval-hash';

/** Mail servers commonly refuse messages over 25 MB; a larger attachment would only be read into memory to be refused. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/**
 * What a step names: an evidence name (the newest item of the incident with that name is sent), or the entry an
 * approval recorded (`{{steps.<approval>.attachments}}`), which is sent only while it is still that file.
 */
export const AttachmentSpec = z.union([z.string().min(1).max(256), z.object({ name: z.string().min(1).max(256), sha256: z.string().regex(/^[0-9a-f]{64}$/) })]);
export type AttachmentSpec = z.infer<typeof AttachmentSpec>;

export interface LoadedAttachment {
  ref: AttachmentRef;
  mediaType: string;
  content: Buffer;
}

/** The incident evidence store, opened once per worker and shared (the worker's `evidence.store`). */
export type EvidenceAccess = () => Promise<EvidenceStore>;

const refOf = (item: EvidenceItem): AttachmentRef => ({ name: item.name, evidenceId: item.evidenceId, sha256: item.sha256, size: item.size });

/** The incident's newest evidence item per name: a corrected file uploaded under the same name supersedes the first. */
async function newestByName(store: EvidenceStore, incidentId: string): Promise<Map<string, EvidenceItem>> {
  const byName = new Map<string, EvidenceItem>();
  for (const item of await store.listEvidence(incidentId)) byName.set(item.name, item);
  return byName;
}

/** Looks names up in the incident's evidence; never throws for a name it cannot find. */
export async function resolveAttachments(store: EvidenceStore, incidentId: string, names: readonly string[]): Promise<{ attachments: AttachmentRef[]; missing: string[] }> {
  const byName = await newestByName(store, incidentId);
  const found = names.map((name) => byName.get(name));
  return { attachments: found.filter((item): item is EvidenceItem => item !== undefined).map(refOf), missing: names.filter((_, i) => found[i] === undefined) };
}

export const ResolveAttachmentsInput = z.object({ incidentId: z.string().min(1), stepId: z.string().min(1), names: z.array(z.string().min(1)).min(1) });
export type ResolveAttachmentsInput = z.infer<typeof ResolveAttachmentsInput>;

/** `notify.resolve-attachments`: what an approval with attachments shows its approvers and binds its hash to. */
export function createResolveAttachments(evidence: EvidenceAccess) {
  return async function resolveNoticeAttachments(input: ResolveAttachmentsInput): Promise<{ attachments: AttachmentRef[]; missing: string[] }> {
    return resolveAttachments(await evidence(), input.incidentId, input.names);
  };
}

function fail(type: FailureType, message: string, details: Record<string, unknown>): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Reads each attachment through the evidence store, which re-verifies its hash and records an `exported` custody event
 * for `purpose` (who receives it). Throws, before anything is sent: `notice.attachment_missing` naming the attachment
 * and the notice template, `notice.attachment_changed` when a pinned file was superseded or differs, `evidence.tampered`.
 */
export async function loadAttachments(
  store: EvidenceStore,
  where: { incidentId: string; stepId: string; notice?: string },
  specs: readonly AttachmentSpec[],
  purpose: string,
): Promise<LoadedAttachment[]> {
  if (specs.length === 0) return [];
  const byName = await newestByName(store, where.incidentId);
  const template = where.notice ? `notice template ${where.notice}` : `the notice of step ${where.stepId}`;
  const items = specs.map((spec) => {
    const name = typeof spec === 'string' ? spec : spec.name;
    const item = byName.get(name);
    if (!item) fail(FailureType.AttachmentMissing, `attachment "${name}" (asked for by ${template}) is not evidence of incident ${where.incidentId}: the notice is not sent without it`, { name, notice: where.notice, stepId: where.stepId });
    if (typeof spec !== 'string' && spec.sha256 !== item.sha256) {
      fail(FailureType.AttachmentChanged, `attachment "${name}" is now sha256 ${item.sha256}, not the ${spec.sha256} that was approved: the notice needs a new approval`, { name, approved: spec.sha256, current: item.sha256 });
    }
    if (item.size > MAX_ATTACHMENT_BYTES) fail(FailureType.AttachmentTooLarge, `attachment "${name}" is ${item.size} bytes; notices attach at most ${MAX_ATTACHMENT_BYTES}`, { name, size: item.size });
    return item;
  });
  const loaded: LoadedAttachment[] = [];
  for (const item of items) {
    try {
      const content = await readAll(await store.open(item.evidenceId, { kind: 'system', id: 'firebreak-worker' }, purpose, { event: 'exported' }));
      loaded.push({ ref: refOf(item), mediaType: item.mediaType, content });
    } catch (error) {
      if (error instanceof EvidenceError && error.code === 'evidence.tampered') fail(FailureType.EvidenceTampered, `attachment "${item.name}" no longer matches its recorded sha256 ${item.sha256}`, { name: item.name, evidenceId: item.evidenceId });
      throw error;
    }
  }
  return loaded;
}

/** nodemailer's form: the evidence name as the file name, its recorded media type. */
export const mailAttachments = (loaded: readonly LoadedAttachment[]) => loaded.map((a) => ({ filename: a.ref.name, content: a.content, contentType: a.mediaType }));
