import type { Transporter } from 'nodemailer';
import type { AuditLog } from '../audit';
import type { ActionFn } from '../workflows/runbook-interpreter/steps/action';
import { createAppendAudit } from './audit/append-record';
import { createPublishTimeline } from './audit/publish-timeline';
import { withNoticeAudit } from './audit/record-notice';
import { evaluateConditionActivity } from './conditions/evaluate';
import { type DeadlineDeps, createDeadlineActivities } from './deadlines/compute';
import { type ContainmentDeps, createContainmentActivities } from './containment/adapters';
import { createResolveAttachments } from './email/attachments';
import { createSendEmail } from './email/send-email';
import { createSendEmailBatch } from './email/send-email-batch';
import { type EvidenceDeps, createCaptureEvidence } from './evidence/capture';
import { type HttpDeps, createHttpRequest } from './http/request';
import { type SlackActivityDeps, createSlackActivities } from './slack';

export interface ActivityDeps {
  dataDir: string;
  mailFrom: string;
  smtp?: Transporter;
  evidence: EvidenceDeps;
  /** Opened lazily and shared by every activity of this worker process. */
  auditLog: () => Promise<AuditLog>;
  http: HttpDeps;
  containment: ContainmentDeps;
  /** Absent: Slack is not configured and `slack.sync` does nothing. */
  slack?: SlackActivityDeps;
  /** Default: the bundled obligations catalogue. */
  deadlines?: DeadlineDeps;
}

/** Every activity the worker runs, by the action name runbooks use. The only object handed to Worker.create. */
export function createActivities(deps: ActivityDeps) {
  return {
    'evidence.capture': createCaptureEvidence(deps.evidence),
    'notify.email': withNoticeAudit(createSendEmail({ from: deps.mailFrom, dataDir: deps.dataDir, smtp: deps.smtp, evidence: deps.evidence.store }), deps.auditLog),
    'notify.email-batch': createSendEmailBatch({ from: deps.mailFrom, dataDir: deps.dataDir, smtp: deps.smtp, evidence: deps.evidence.store }),
    'notify.resolve-attachments': createResolveAttachments(deps.evidence.store),
    'conditions.evaluate': evaluateConditionActivity,
    ...createDeadlineActivities(deps.deadlines),
    'http.request': createHttpRequest(deps.http),
    ...createContainmentActivities(deps.containment),
    'incident.publish': createPublishTimeline(deps.auditLog),
    'audit.append': createAppendAudit(deps.auditLog),
    ...createSlackActivities(deps.slack),
    noop: (async (request) => ({ key: request.key })) satisfies ActionFn,
  };
}
export type Activities = ReturnType<typeof createActivities>;
