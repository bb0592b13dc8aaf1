import type { AuditLog } from './audit-log';
import type { AuditEntry, AuditRecord } from './record';

/**
 * How code outside the workflow (HTTP ingress, the API, evidence custody, start-up) writes audit records. The log is
 * opened on first use and shared. `record` never throws: a request that already happened must still get its answer,
 * so a failed write is reported to `onError` (which logs it loudly) instead.
 */
export interface AuditWriter {
  /** Queues the record at once (in call order) and resolves once it is on disk. */
  record(entry: AuditEntry): Promise<AuditRecord | undefined>;
  /** Waits for records (awaited or not) and checkpoint deliveries under way, then closes the log (if it was ever opened). */
  close(): Promise<void>;
}

export function createAuditWriter(open: () => Promise<AuditLog>, onError: (error: unknown, entry: AuditEntry) => void): AuditWriter {
  let log: Promise<AuditLog> | undefined;
  // Records callers did not wait for (an answer that goes out before the fdatasync): close() waits for them.
  const inFlight = new Set<Promise<unknown>>();
  const write = async (entry: AuditEntry): Promise<AuditRecord | undefined> => {
    try {
      // A failed open is retried on the next record rather than remembered forever.
      log ??= open().catch((error: unknown) => {
        log = undefined;
        throw error;
      });
      return await (await log).append(entry);
    } catch (error) {
      onError(error, entry);
      return undefined;
    }
  };
  return {
    record(entry) {
      const written = write(entry);
      inFlight.add(written);
      void written.finally(() => inFlight.delete(written));
      return written;
    },
    async close() {
      await Promise.all([...inFlight]);
      const opened = await log?.catch(() => undefined);
      log = undefined;
      await opened?.close();
    },
  };
}
