import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditLog } from '../audit';
import { EvidenceStore, type Handler } from '../evidence';
import { custodyAuditEntry } from '../evidence/custody-audit';
import { loadConfig } from './config';
import { auditPublicKeyPath, resolveSecrets } from './secrets';
import { openAuditLog } from './temporal-worker';

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
 * The audit log and evidence store of this machine's data dir, for CLI commands that work without the service
 * (export). Custody events are mirrored into the audit log, as the service does.
 */
export async function openLocalStores(): Promise<LocalStores> {
  const config = loadConfig();
  const secrets = resolveSecrets(config);
  const auditLog = await openAuditLog(config, secrets);
  const evidence = await EvidenceStore.open(path.join(config.dataDir, 'evidence'), {
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
    close: () => auditLog.close(),
  };
}
