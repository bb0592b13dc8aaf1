import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pino from 'pino';
import type { AuditLog } from '../audit';
import type { EvidenceStore, Handler } from '../evidence';
import { custodyAuditEntry } from '../evidence/custody-audit';
import { checkpointSinks } from './checkpoint-delivery';
import { loadConfig } from './config';
import { openEvidenceStore } from './evidence-store';
import { createLogger } from './logging';
import { auditPublicKeyPath, resolveSecrets } from './secrets';
import { openAuditLog } from './process-audit-log';

export interface LocalStores {
  auditDir: string;
  auditLog: AuditLog;
  evidence: EvidenceStore;
  publicKeyPem: string;
  /** Who the operator at this terminal is, for custody events. */
  operator: Handler;
  close(): Promise<void>;
}

/**
 * The audit log of this machine's data dir and the configured evidence store (the data dir or the bucket), for CLI
 * commands that work without the service (export). Custody events are mirrored into the audit log, and checkpoints
 * shipped off the machine (mail, the audit Slack channel), as the service does: a checkpoint the CLI signs is no less
 * one. `close()` waits for those deliveries, so the command does not exit before they are done.
 */
export async function openLocalStores(): Promise<LocalStores> {
  const config = loadConfig();
  const secrets = resolveSecrets(config);
  const smtp = secrets.smtpUrl ? nodemailer.createTransport(secrets.smtpUrl.reveal()) : undefined;
  // stderr, synchronously: stdout carries the command's own output, and a warning must survive the exit that follows.
  const log = createLogger(process.env.FIREBREAK_LOG_LEVEL ?? 'warn', pino.destination({ fd: 2, sync: true }));
  const auditLog = await openAuditLog(config, secrets, checkpointSinks(config, smtp, log));
  const evidence = await openEvidenceStore(config, {
    onCustodyEvent: async (event, item) => {
      await auditLog.append(custodyAuditEntry(event, item));
    },
  });
  return {
    auditDir: path.join(config.dataDir, 'audit'),
    auditLog,
    evidence,
    publicKeyPem: readFileSync(auditPublicKeyPath(config.dataDir), 'utf8'),
    operator: { kind: 'person', id: `os:${os.userInfo().username}` },
    close: async () => {
      await auditLog.close();
      smtp?.close();
    },
  };
}
