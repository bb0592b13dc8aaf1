import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { createAuditWriter, loadPublicKey, type AuditWriter } from '../audit';
import { AesGcmPayloadCodec } from '../codec/aes-gcm-codec';
import { custodyAuditEntry } from '../evidence/custody-audit';
import type { CodecRouteDeps } from '../ingress/api/codec-routes';
import type { EvidenceRouteDeps } from '../ingress/api/evidence-routes';
import type { ReportRouteDeps } from '../ingress/api/report-routes';
import type { TokenDirectory } from '../ingress/api/token-directory';
import type { RunbookCatalog } from '../ingress/runbook-catalog';
import { checkpointSinks } from './checkpoint-delivery';
import { codecRouteDeps } from './codec-wiring';
import type { Config } from './config';
import { configFingerprint } from './config-fingerprint';
import { evidenceStoreOpener } from './evidence-store';
import type { Logger } from './logging';
import { auditPublicKeyPath, type ResolvedSecrets } from './secrets';
import { openAuditLog } from './process-audit-log';

/** Largest evidence upload through the API; the store enforces it while streaming. */
export const EVIDENCE_UPLOAD_LIMIT_BYTES = 512 * 1024 * 1024;

export interface RecordKeeping {
  audit: AuditWriter;
  evidence: EvidenceRouteDeps;
  codec: CodecRouteDeps;
  /** Without the incident client, which needs the audit writer made here. */
  report: Omit<ReportRouteDeps, 'incidents' | 'reads'>;
}

/**
 * The HTTP service's side of the record: an audit writer (alert deliveries, refused decisions, evidence custody,
 * start-up configuration), the evidence store, the codec endpoint and the report. Records the configuration's
 * fingerprint once per start.
 */
export function createRecordKeeping(deps: { config: Config; secrets: ResolvedSecrets; catalog: RunbookCatalog; tokens: TokenDirectory; log: Logger }): RecordKeeping {
  const { config, secrets, log } = deps;
  const smtp = secrets.smtpUrl ? nodemailer.createTransport(secrets.smtpUrl.reveal()) : undefined;
  const audit = createAuditWriter(
    () => openAuditLog(config, secrets, checkpointSinks(config, smtp, log)),
    (error, entry) => log.error({ err: error, action: entry.action, key: entry.key }, 'audit record not written'),
  );
  void audit.record({ key: `config/${randomUUID()}`, actor: { kind: 'system', id: 'firebreak' }, action: 'config.loaded', data: { sha256: configFingerprint(config), role: 'http-service' } });
  const evidence = evidenceStoreOpener(config, {
    maxBytes: EVIDENCE_UPLOAD_LIMIT_BYTES,
    onCustodyEvent: async (event, item) => {
      await audit.record(custodyAuditEntry(event, item));
    },
  });
  return {
    audit,
    evidence: { store: evidence, tokens: deps.tokens, log, maxUploadBytes: EVIDENCE_UPLOAD_LIMIT_BYTES },
    codec: codecRouteDeps(config, new AesGcmPayloadCodec(secrets.keyring), deps.tokens, log),
    report: {
      tokens: deps.tokens,
      catalog: deps.catalog,
      auditDir: path.join(config.dataDir, 'audit'),
      publicKey: () => loadPublicKey(readFileSync(auditPublicKeyPath(config.dataDir), 'utf8')),
      evidence,
      log,
    },
  };
}
