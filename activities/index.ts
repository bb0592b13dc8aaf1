import type { Transporter } from 'nodemailer';
import type { ActionFn } from '../workflows/runbook-interpreter/steps/action';
import { evaluateConditionActivity } from './conditions/evaluate';
import { createSendEmail } from './email/send-email';
import { type EvidenceDeps, createCaptureEvidence } from './evidence/capture';

export interface ActivityDeps {
  dataDir: string;
  mailFrom: string;
  smtp?: Transporter;
  evidence: EvidenceDeps;
}

/** Every activity the worker runs, by the action name runbooks use. The only object handed to Worker.create. */
export function createActivities(deps: ActivityDeps) {
  return {
    'evidence.capture': createCaptureEvidence(deps.evidence),
    'notify.email': createSendEmail({ from: deps.mailFrom, dataDir: deps.dataDir, smtp: deps.smtp }),
    'conditions.evaluate': evaluateConditionActivity,
    noop: (async (request) => ({ key: request.key })) satisfies ActionFn,
  };
}
export type Activities = ReturnType<typeof createActivities>;
