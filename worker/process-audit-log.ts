import path from 'node:path';
import { AuditError, AuditLog, type CheckpointSink, loadSigningKey, writeCheckpointsPromptly } from '../audit';
import type { Config } from './config';
import type { ResolvedSecrets } from './secrets';

interface Shared {
  /** Until the log is open. */
  opening?: Promise<AuditLog>;
  /**
   * Held weakly: a handle its caller drops without closing it (a test that abandons a worker) does not keep the log
   * open through this table; once nobody can reach it, it is collected (its prompt-checkpoint timer stops with it).
   */
  log?: WeakRef<AuditLog>;
  handles: number;
}

/** The audit logs this process has open, by folder. */
const opened = new Map<string, Shared>();

/**
 * The audit log under the data dir, with checkpoints signed by the audit key and shipped to `sink`.
 *
 * One log per folder per process: with `npm start` the HTTP service and the worker run in one process, and two logs on
 * one folder hand the cross-process lock file back and forth between their group commits (about 0.45 ms per alert in
 * the alert-start profile), where one log commits both sides' records together. Separate processes (replicas, the CLI)
 * still coordinate through the lock file. Each caller gets its own handle, whose `close()` is the caller's alone: the
 * log closes when its last handle does. The first opener's sink ships the checkpoints; every opener wires it from the
 * same config, and each checkpoint is to be shipped once.
 */
export async function openAuditLog(config: Config, secrets: ResolvedSecrets, sink?: CheckpointSink): Promise<AuditLog> {
  const dir = path.resolve(config.dataDir, 'audit');
  let shared = opened.get(dir);
  if (!shared || !(shared.opening || shared.log?.deref())) {
    const entry: Shared = { opening: openOwn(dir, secrets, sink), handles: 0 };
    entry.opening!.then(
      (log) => {
        entry.log = new WeakRef(log);
        entry.opening = undefined;
      },
      // A failed open is not remembered: the next caller tries again.
      () => opened.get(dir) === entry && opened.delete(dir),
    );
    opened.set(dir, (shared = entry));
  }
  const current = shared;
  // Counted before any wait, so a handle closed meanwhile does not close the log under this one.
  current.handles += 1;
  let log: AuditLog;
  try {
    log = (await current.opening) ?? current.log!.deref()!;
  } catch (error) {
    current.handles -= 1;
    throw error;
  }
  return handle(log, async () => {
    current.handles -= 1;
    if (current.handles > 0) return;
    if (opened.get(dir) === current) opened.delete(dir);
    await log.close();
  });
}

async function openOwn(dir: string, secrets: ResolvedSecrets, sink?: CheckpointSink): Promise<AuditLog> {
  const log = await AuditLog.open(dir, {
    origin: 'firebreak/audit',
    signingKey: loadSigningKey(secrets.auditSigningKey.reveal()),
    checkpointEvery: 1000,
    checkpointIntervalMs: 5 * 60_000,
    // Alerts arrive about 10 ms apart under load, and the default 10 ms lease let the lock go between them: each retake
    // cost a create, stats, an unlink and a catch-up, several threadpool round trips. Another process waits at most this
    // much longer for an idle lock; under steady use the holder hands it on every second as before.
    lockLeaseMs: 100,
    sink,
  });
  // Within seconds of new records, not minutes: a shipped checkpoint then leaves little of the log unwitnessed.
  writeCheckpointsPromptly(log, { onError: (err) => process.emitWarning(`audit checkpoint failed: ${String(err)}`, { code: 'FIREBREAK_AUDIT_CHECKPOINT' }) });
  return log;
}

/** `log` as one caller holds it: after its `close()` it refuses further calls with `audit.closed`, as a log of its own would. */
function handle(log: AuditLog, release: () => Promise<void>): AuditLog {
  let closing: Promise<void> | undefined;
  const refuse = (): Promise<never> => Promise.reject(new AuditError('audit.closed', 'audit log is closed'));
  return new Proxy(log, {
    get(target, property) {
      if (property === 'close') return () => (closing ??= release());
      if (closing && (property === 'append' || property === 'checkpoint')) return refuse;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
