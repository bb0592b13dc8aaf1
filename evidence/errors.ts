/** Codes of evidence-store errors. Never renamed once released. */
export type EvidenceErrorCode =
  | 'evidence.invalid_meta'
  | 'evidence.not_found'
  | 'evidence.tampered'
  | 'evidence.too_large'
  | 'evidence.corrupt_record'
  | 'evidence.store_unavailable';

/** Thrown by the evidence store; callers branch on `code`, never on the message. */
export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
