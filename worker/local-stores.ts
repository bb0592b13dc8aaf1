import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditLog } from '../audit';
import type { EvidenceStore, Handler } from '../evidence';
import { custodyAuditEntry } from '../evidence/custody-audit';
import { loadConfig } from './config';
import { openEvidenceStore } from './evidence-store';
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
 * The audit log of this machine's data dir and the configured evidence store (the data dir or the bucket), for CLI
 * commands that work without the service (export). Custody events are mirrored into the audit log, as the service does.
 */
export async function openLocalStores(): Promise<LocalStores> {
  const config = loadConfig();
  const secrets = resolveSecrets(config);
  const auditLog = await openAuditLog(config, secrets);
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
    close: () => auditLog.close(),
  };
}
