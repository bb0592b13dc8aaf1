/** ApplicationFailure `type` strings shared by workflows, activities and ingress. Stable: callers branch on them. */
export const FailureType = {
  ApprovalNotPermitted: 'approval.not_permitted',
  ApprovalSeparationOfDuties: 'approval.separation_of_duties',
  StepNotWaiting: 'step.not_waiting',
  /** The clock named is not running in this incident (never started, or already stopped). */
  ClockNotRunning: 'clock.not_running',
  StepUnknown: 'step.unknown',
  AnswerInvalid: 'input.invalid_answer',
  IncidentClosed: 'incident.closed',
  ActionInputInvalid: 'action.invalid_input',
  EmailRejected: 'email.rejected',
  ConditionInvalid: 'condition.invalid',
  DeadlineUnknownObligation: 'deadline.unknown_obligation',
  DeadlineObligationDisabled: 'deadline.obligation_disabled',
  DeadlineInvalidInput: 'deadline.invalid_input',
  ApprovalDraftMismatch: 'approval.draft_mismatch',
  /** A runbook with that id is already running in the incident (as its main runbook or an added one). */
  RunbookAlreadyRunning: 'runbook.already_running',
  RecipientsInvalid: 'recipients.invalid',
  /** A notice names an attachment that is not evidence of the incident: it is never sent without it. */
  AttachmentMissing: 'notice.attachment_missing',
  /** The evidence behind an attachment is not the file the approvers saw: the notice needs a new approval. */
  AttachmentChanged: 'notice.attachment_changed',
  /** An attachment larger than mail servers accept. */
  AttachmentTooLarge: 'notice.attachment_too_large',
  /** The stored evidence bytes no longer match their recorded SHA-256. */
  EvidenceTampered: 'evidence.tampered',
  /** Slack answered 429: retried after its Retry-After. */
  SlackRateLimited: 'slack.rate_limited',
  /** Slack or the network to it failed in a way a retry may fix. */
  SlackUnavailable: 'slack.unavailable',
  /** Slack refused the call (bad token, missing scope, unknown channel): retrying cannot help. */
  SlackRejected: 'slack.rejected',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
