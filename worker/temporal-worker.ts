import { Runtime, Worker, type NativeConnection, type WorkflowBundleWithSourceMap, makeTelemetryFilterString, DefaultLogger, type LogLevel } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import path from 'node:path';
import type { AuditLog } from '../audit';
import { custodyAuditEntry } from '../evidence/custody-audit';
import { firebreakDataConverter } from '../codec/data-converter';
import { type Activities, createActivities } from '../activities';
import type { Config } from './config';
import { containmentFromConfig, httpEndpointsFromConfig } from './http-endpoints';
import { checkpointSinks } from './checkpoint-delivery';
import { evidenceStoreOpener } from './evidence-store';
import { type Logger, createLogger } from './logging';
import type { ResolvedSecrets } from './secrets';
import { slackActivityDeps } from './slack';
import { heartbeatInterceptor } from './activity-heartbeat';
import { temporalPlugins } from './tracing';
import { openAuditLog } from './process-audit-log';

let runtimeInstalled = false;

/** Routes the Temporal runtime's own logs into our redacting JSON sink. Once per process. */
export function installRuntimeLogging(log: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = (process.env.FIREBREAK_TEMPORAL_LOG_LEVEL ?? 'WARN') as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      const method = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
      log[method]({ ...entry.meta, component: 'temporal' }, entry.message);
    }),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: level }) } },
    // Firebreak's own handlers stop things in order (HTTP, worker, then the dev server); the runtime's would race them.
    shutdownSignals: [],
  });
}

export interface WorkerOptions {
  config: Config;
  secrets: ResolvedSecrets;
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Prebuilt bundle (tests share one); absent: bundle from workflows/ at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  activities: Activities;
}

/** A worker's activities and what they hold open, released once the worker stopped. */
export interface WorkerActivities {
  activities: Activities;
  /**
   * Closes this worker's handle on the process's shared audit log (and the SMTP pool). Without it a worker restarted in
   * the same process would be handed the stopped one's log, with whatever that log last knew of the files.
   */
  close(): Promise<void>;
}

/** Builds the real activities from config: SMTP when configured, the .eml outbox otherwise. */
export function activitiesFromConfig(config: Config, secrets: ResolvedSecrets, log: Logger = createLogger()): WorkerActivities {
  const smtp = secrets.smtpUrl ? nodemailer.createTransport(secrets.smtpUrl.reveal()) : undefined;
  let opened: Promise<AuditLog> | undefined;
  const auditLog = () => (opened ??= openAuditLog(config, secrets, checkpointSinks(config, smtp, log)));
  const endpoints = httpEndpointsFromConfig(config);
  const evidence = {
    store: evidenceStoreOpener(config, {
      onCustodyEvent: async (event, item) => {
        await (await auditLog()).append(custodyAuditEntry(event, item));
      },
    }),
  };
  const activities = createActivities({
    dataDir: config.dataDir,
    mailFrom: config.email.from,
    smtp,
    evidence,
    auditLog,
    http: { endpoints },
    containment: containmentFromConfig(config, endpoints, evidence),
    slack: slackActivityDeps(config),
  });
  const close = async (): Promise<void> => {
    smtp?.close();
    // A log that failed to open has nothing to close.
    await (await opened?.catch(() => undefined))?.close();
  };
  return { activities, close };
}

/**
 * Open incidents kept in the worker's sticky cache. An idle incident is mostly its share of the workflow bundle's
 * module state, so memory grows with this bound, not with how many incidents are open; an incident outside it is
 * replayed from history when its next timer, signal or query arrives. The SDK's default scales with the heap limit
 * instead, which on a large machine lets a few thousand idle incidents crowd out everything else in the process.
 */
export const WORKFLOW_CACHE_SIZE = 2_000;

/**
 * The workflow sources to bundle, by folder: `__dirname` is the source folder also when this module runs from the
 * compiled dist/ (bin/dist.js), whose require.resolve would hand webpack dist's CommonJS with its node:path shim.
 */
const WORKFLOWS_SOURCE = path.join(__dirname, '..', 'workflows');

export async function createFirebreakWorker(options: WorkerOptions): Promise<Worker> {
  const { config, secrets } = options;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_SOURCE }),
    activities: options.activities,
    dataConverter: firebreakDataConverter(secrets.keyring),
    maxCachedWorkflows: WORKFLOW_CACHE_SIZE,
    interceptors: { activity: [heartbeatInterceptor()] },
    plugins: temporalPlugins(),
    shutdownGraceTime: `${config.shutdownGraceSeconds}s`,
    shutdownForceTime: `${config.shutdownGraceSeconds + 10}s`,
  });
}
