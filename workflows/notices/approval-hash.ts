import { sha256Hex } from './sha256';

/** An evidence item a notice carries, as approvers were shown it: ids and the hash, never the bytes. */
export interface AttachmentRef {
  name: string;
  evidenceId: string;
  sha256: string;
  size: number;
}

/**
 * What an approval binds to: the draft's SHA-256 when nothing is attached (so approvals recorded before attachments
 * existed keep their hash), otherwise the SHA-256 of the draft followed by one `sha256sum`-style line per attachment.
 * Swapping an attached file changes the hash, so approvals given for the old file no longer count.
 */
export function approvalSha256(draft: string | undefined, attachments: readonly AttachmentRef[] = []): string | undefined {
  if (attachments.length === 0) return draft === undefined ? undefined : sha256Hex(draft);
  const manifest = attachments.map((a) => `${a.sha256}  ${a.name}\n`).join('');
  return sha256Hex(`${draft ?? ''}\n-- attachments --\n${manifest}`);
}

/** Same files in the same order: a re-read of the evidence that found nothing new. */
export function sameAttachments(a: readonly AttachmentRef[], b: readonly AttachmentRef[]): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i]!.name && x.sha256 === b[i]!.sha256 && x.evidenceId === b[i]!.evidenceId);
}
