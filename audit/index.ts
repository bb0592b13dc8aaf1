export { AuditLog, type AuditLogOptions, type CheckpointSink } from './audit-log';
export { Checkpoint } from './checkpoint';
export { AuditError, type AuditErrorCode } from './errors';
export { generateSigningKey, loadPublicKey, loadSigningKey, signingKeyId, type GeneratedSigningKey } from './keys';
export { readAuditRecords } from './read';
export { AuditAction, AuditActor, AuditEntry, AuditRecord, GENESIS_HASH } from './record';
export { verifyAuditLog, type AuditLogContents, type AuditProblem, type AuditProblemCode, type AuditVerification } from './verify';
export { AUDIT_FILES } from './log-state';
export { createAuditWriter, type AuditWriter } from './audit-writer';
