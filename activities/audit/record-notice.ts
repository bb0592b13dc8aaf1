import { createHash } from 'node:crypto';
import type { AuditLog } from '../../audit';
import { canonicalJson } from '../../audit/canonical-json';
import type { ActionRequest } from '../../workflows/runbook-interpreter/steps/action';
import { EmailInput, type EmailResult } from '../email/send-email';

/** SHA-256 of the notice text as sent (subject and body, canonical JSON): what the report shows as the approved text. */
export function noticeTextSha256(input: { subject: string; body: string }): string {
  return createHash('sha256').update(canonicalJson({ subject: input.subject, body: input.body }), 'utf8').digest('hex');
}

/**
 * Wraps `notify.email` so every sent notice leaves a `notice.sent` audit record with the hash of its text. The key
 * derives from the step key, so a retry (which finds the mail already sent) records nothing new.
 */
export function withNoticeAudit(send: (request: ActionRequest) => Promise<EmailResult>, auditLog: () => Promise<AuditLog>) {
  return async function sendEmailAudited(request: ActionRequest): Promise<EmailResult> {
    const result = await send(request);
    const input = EmailInput.parse(request.input);
    await (await auditLog()).append({
      key: `${request.key}/notice`,
      actor: { kind: 'system', id: 'firebreak' },
      action: 'notice.sent',
      incidentId: request.incidentId,
      subject: request.stepId,
      data: {
        channel: 'email',
        messageId: result.messageId,
        to: result.to,
        delivery: result.delivery,
        textSha256: noticeTextSha256(input),
        ...(result.attachments && { attachments: result.attachments.map(({ name, evidenceId, sha256 }) => ({ name, evidenceId, sha256 })) }),
      },
    });
    return result;
  };
}
