import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createIncidentClient } from '../ingress/incident-client';
import { GenerationLog } from '../ingress/generation-log';
import { seedGenerationsFromAuditLog } from '../ingress/generation-seed';
import { deriveUpdateIdKey } from '../ingress/update-id';
import { RunbookCatalog } from '../ingress/runbook-catalog';
import { TokenDirectory, type TokenHolder } from '../ingress/api/token-directory';
import { createReadGuard } from '../ingress/access/read-guard';
import { createIngress } from './alert-sources';
import type { Config } from './config';
import { mountConsole } from './console';
import { createHttpServer } from './http-server';
import type { Logger } from './logging';
import { createMetrics } from './metrics';
import { createRecordKeeping } from './record-keeping';
import { resolveSecret } from './secret';
import { slackIngressFromConfig } from './slack';
import type { ResolvedSecrets } from './secrets';

function tokenHolders(config: Config, secrets: ResolvedSecrets): TokenHolder[] {
  const holders: TokenHolder[] = [{ token: secrets.adminToken, personId: 'local-admin', roles: config.adminRoles }];
  config.people.forEach((person, index) =>
    person.tokens.forEach((entry, t) => {
      const where = `people.${index}.tokens.${t}`;
      if (typeof entry === 'string') return holders.push({ token: resolveSecret(where, entry), personId: person.id, roles: person.roles });
      return holders.push({
        ...(entry.secret ? { token: resolveSecret(`${where}.secret`, entry.secret) } : { sha256: entry.sha256 }),
        personId: person.id,
        roles: person.roles,
        scopes: entry.scopes,
        expiresAt: entry.expires ? new Date(entry.expires) : undefined,
      });
    }),
  );
  return holders;
}

export interface ServiceOptions {
  config: Config;
  secrets: ResolvedSecrets;
  client: Client;
  log: Logger;
  localWorkerRunning?: () => boolean;
}

/** Composes the HTTP service (alert ingress, HTTP API, health, metrics) around a connected Temporal client. */
export function createService(options: ServiceOptions): FastifyInstance {
  const { config, secrets, client, log } = options;
  const catalog = new RunbookCatalog(config.runbooksDir, log);
  // On the shared data volume: every replica must see every generation ever opened (docs/deploy.md).
  const generationsDir = path.join(config.dataDir, 'incident-generations');
  const generations = new GenerationLog(generationsDir);
  const incidentClient = (deadlineMs?: number) =>
    createIncidentClient({
      client,
      taskQueue: config.temporal.taskQueue,
      catalog,
      contacts: config.contacts,
      config,
      historyEventLimit: config.temporal.historyEventLimit,
      repeatWindowMs: config.temporal.repeatWindowMs,
      generations,
      slackMirror: config.slack !== undefined,
      // Every replica holds the same payload keys, so each names a repeated request alike.
      updateIdKey: deriveUpdateIdKey(secrets.keyring.keys.get(secrets.keyring.currentId)!),
      deadlineMs,
      log,
      // Read at each refusal: the writer is made below, once the sources have been checked.
      audit: { record: (entry) => records.audit.record(entry) },
    });
  const incidents = incidentClient();
  const ingress = createIngress({ config, client, webhookSigningSecret: secrets.webhookSigningSecret, catalog, starter: incidents, log });
  const tokens = new TokenDirectory(tokenHolders(config, secrets));
  const records = createRecordKeeping({ config, secrets, catalog, tokens, log });
  const reads = createReadGuard({ incidents, catalog, audit: records.audit });
  const app = createHttpServer({
    client,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    sources: ingress.sources,
    intake: ingress.intake,
    api: { incidents, catalog, tokens, log, reads },
    ...records,
    evidence: { ...records.evidence, reads },
    report: { ...records.report, incidents, reads },
    metrics: createMetrics(),
    auditDir: path.join(config.dataDir, 'audit'),
    log,
    bodyLimitBytes: config.http.bodyLimitBytes,
    slack: slackIngressFromConfig(config, { incidents: incidentClient, catalog, log, reads }),
    localWorkerRunning: options.localWorkerRunning,
  });
  mountConsole(app, config, secrets, { incidents, reads, catalog, tokens, report: records.report, log });
  // Before the first alert is taken (onReady runs before listen): an upgraded data dir learns the generations its
  // audit log names. A failure leaves the seed file unwritten, so the next start tries again.
  app.addHook('onReady', async () => {
    try {
      const seeded = await seedGenerationsFromAuditLog(generationsDir, path.join(config.dataDir, 'audit'));
      generations.adopt(seeded.generations);
      if (seeded.scanned) log.info({ records: seeded.records, fingerprints: seeded.generations.size, ms: seeded.ms }, 'incident generations seeded from the audit log');
    } catch (err) {
      log.error({ err }, 'seeding incident generations from the audit log failed; ids Temporal has forgotten may be opened again');
    }
    await generations.load().catch((err: unknown) => log.warn({ err }, 'reading the incident generations index failed; the first alert tries again'));
  });
  // Before the first alert, so a storm's first deliveries do not wait for it; a failure is tried again by the first.
  app.addHook('onReady', () => ingress.intake.dedupe.load().catch((err: unknown) => log.warn({ err }, 'reading remembered delivery ids failed')));
  // After the last request is answered, so every delivery's record is on disk before the log's files close.
  app.addHook('onClose', () => records.audit.close());
  app.addHook('onClose', () => ingress.intake.dedupe.close());
  app.addHook('onClose', () => generations.close());
  return app;
}
