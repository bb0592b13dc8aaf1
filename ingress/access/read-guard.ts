import { randomUUID } from 'node:crypto';
import type { AuditWriter } from '../../audit';
import type { Runbook } from '../../runbooks/schema/runbook';
import type { IncidentStatus } from '../../workflows/incident/state';
import type { IncidentClient } from '../incident-client';
import type { RunbookCatalog } from '../runbook-catalog';
import { type ReadDecision, type Viewer, mayExport, mayReadEvidenceContent, mayViewIncident, mayViewListed } from './read-policy';

export interface ReadGuardDeps {
  incidents: Pick<IncidentClient, 'status'>;
  catalog: Pick<RunbookCatalog, 'byId'>;
  /** Where refused reads are recorded; absent only in tests of the policy itself. */
  audit?: Pick<AuditWriter, 'record'>;
}

/** A refused read, as every edge answers it: 403 with the policy's code and reason. */
export interface ReadRefused {
  allowed: false;
  status: 403;
  code: string;
  reason: string;
}

export type GuardAnswer = { allowed: true; status?: IncidentStatus } | ReadRefused;

/**
 * Applies the read policy with the facts it needs (the incident's status from Temporal, its runbook from the catalog)
 * and records every refusal in the audit log with its reason. HTTP routes, Slack commands and the console call this;
 * none decides on its own.
 */
export function createReadGuard(deps: ReadGuardDeps) {
  async function facts(incidentId: string): Promise<{ status?: IncidentStatus; runbook?: Runbook }> {
    const queried = await deps.incidents.status(incidentId);
    const status = queried.ok ? queried.value : undefined;
    // Without a status (Temporal forgot a closed incident) only the roles that see every incident qualify.
    const runbook = status ? (await deps.catalog.byId(status.runbook.id))?.runbook : undefined;
    return { status, runbook };
  }

  async function settle(viewer: Viewer, what: string, incidentId: string | undefined, decision: ReadDecision, status?: IncidentStatus): Promise<GuardAnswer> {
    if (decision.allowed) return { allowed: true, status };
    await deps.audit?.record({
      key: `access/refused/${randomUUID()}`,
      actor: { kind: 'person', id: viewer.id },
      action: 'access.refused',
      ...(incidentId ? { incidentId } : {}),
      subject: what,
      data: { code: decision.code, reason: decision.reason, roles: [...viewer.roles] },
    });
    return { allowed: false, status: 403, code: decision.code, reason: decision.reason };
  }

  return {
    /** May `viewer` see this incident? `known` saves a second status query when the caller already has it. */
    async incident(viewer: Viewer, incidentId: string, what: string, known?: IncidentStatus): Promise<GuardAnswer> {
      const { status, runbook } = known ? { status: known, runbook: (await deps.catalog.byId(known.runbook.id))?.runbook } : await facts(incidentId);
      return settle(viewer, what, incidentId, mayViewIncident(viewer, status, runbook), status);
    },

    /** May `viewer` download evidence bytes of this incident? Needs both sight of the incident and the handler role. */
    async evidenceContent(viewer: Viewer, incidentId: string, what: string): Promise<GuardAnswer> {
      const { status, runbook } = await facts(incidentId);
      const sees = mayViewIncident(viewer, status, runbook);
      return settle(viewer, what, incidentId, sees.allowed ? mayReadEvidenceContent(viewer, runbook) : sees, status);
    },

    /** May `viewer` take an export bundle or the audit witness? */
    async export(viewer: Viewer, what: string, incidentId?: string): Promise<GuardAnswer> {
      return settle(viewer, what, incidentId, mayExport(viewer));
    },

    /**
     * The rows of a listing `viewer` may see; hidden rows are not refusals (nothing was asked for by name). `people`:
     * the participants a row's summary memo lists, so participation is decided without asking the incident.
     */
    async visible<T extends { id: string; runbook?: string }>(viewer: Viewer, rows: readonly T[], people?: ReadonlyMap<string, readonly string[]>): Promise<T[]> {
      const kept: T[] = [];
      for (const row of rows) {
        const runbookId = row.runbook?.split('@')[0];
        const runbook = runbookId ? (await deps.catalog.byId(runbookId))?.runbook : undefined;
        const listed = people?.get(row.id);
        // Cheap first (roles, then the memo's participants); the status query only when neither decides.
        if (mayViewIncident(viewer, undefined, runbook).allowed) kept.push(row);
        else if (listed) {
          if (mayViewListed(viewer, listed, runbook).allowed) kept.push(row);
        } else {
          const known = await facts(row.id);
          if (mayViewIncident(viewer, known.status, runbook ?? known.runbook).allowed) kept.push(row);
        }
      }
      return kept;
    },
  };
}
export type ReadGuard = ReturnType<typeof createReadGuard>;

/** Sends a refusal the same way on every HTTP route. */
export function refusalBody(refused: ReadRefused): { error: string; message: string } {
  return { error: refused.code, message: refused.reason };
}
