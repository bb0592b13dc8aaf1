/** Codes of errors thrown while writing or reading the audit log. Never renamed once released. */
export type AuditErrorCode =
  | 'audit.invalid_entry'
  | 'audit.record_too_large'
  | 'audit.log_corrupt'
  | 'audit.lock_timeout'
  | 'audit.no_signing_key'
  | 'audit.closed'
  | 'audit.bad_key';

/** Thrown by the audit log; callers branch on `code`, never on the message. */
export class AuditError extends Error {
  override readonly name = 'AuditError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
