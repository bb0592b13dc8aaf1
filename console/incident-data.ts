import type { IncidentClient } from '../ingress/incident-client';
import type { RunbookCatalog } from '../ingress/runbook-catalog';
import { collectReport, type ReportSources } from '../report/collect';
import type { IncidentReport } from '../report/model';
import { renderRunbookGraph } from '../report/runbook-graph';
import type { IncidentStatus } from '../workflows/incident/state';
import type { ReadGuard } from '../ingress/access/read-guard';
import type { Runbook } from '../runbooks/schema/runbook';
import type { Viewer } from './access';
import { listIncidents } from './list-data';
import type { ListFilters } from './pages/incident-list';

export interface DataDeps {
  incidents: IncidentClient;
  /** The read policy with its audit of refusals: the one place that decides who sees an incident. */
  reads: Pick<ReadGuard, 'incident'>;
  catalog: Pick<RunbookCatalog, 'runbooks' | 'byId'>;
  report: ReportStores;
}

/** Where reports are read from: the audit log and the evidence store (opened on first use). */
export interface ReportStores {
  auditDir: string;
  publicKey: () => ReportSources['publicKey'];
  evidence: () => Promise<ReportSources['evidence']>;
}

/**
 * Reads what the console shows, through the incident client, and decides what the viewer may see. Runbook graphs are
 * rendered once per runbook version and kept (they never change for a pinned version).
 */
export function incidentData(deps: DataDeps) {
  const graphs = new Map<string, Promise<string | undefined>>();

  async function runbookOf(runbookId: string): Promise<Runbook | undefined> {
    return (await deps.catalog.byId(runbookId))?.runbook;
  }

  return {
    /** The first page of incidents the viewer may see that pass the filters (from the summary memos); `more` when the page filled up. */
    list: (viewer: Viewer, filters: ListFilters) => listIncidents({ incidents: deps.incidents, runbook: runbookOf }, viewer, filters),

    /** The incident's status when the read guard lets the viewer see it (a refusal is audited and shown with its code). */
    async status(viewer: Viewer, incidentId: string, what = 'console.incident'): Promise<{ status: IncidentStatus } | { problem: { code: string; message: string; status: number } }> {
      const got = await deps.incidents.status(incidentId);
      if (!got.ok) return { problem: got.problem };
      const seen = await deps.reads.incident(viewer, incidentId, what, got.value);
      if (!seen.allowed) return { problem: { code: seen.code, message: seen.reason, status: seen.status } };
      return { status: got.value };
    },

    /** The runbook picture for the version the incident is pinned to, or undefined when the library moved on. */
    graph(status: IncidentStatus): Promise<string | undefined> {
      const key = `${status.runbook.id}@${status.runbook.sha256}`;
      let svg = graphs.get(key);
      if (!svg) {
        svg = (async () => {
          const pinned = await deps.catalog.byId(status.runbook.id);
          return pinned?.sha256 === status.runbook.sha256 ? (await renderRunbookGraph(pinned.runbook)).svg : undefined;
        })();
        graphs.set(key, svg);
        svg.then((v) => v === undefined && graphs.delete(key), () => graphs.delete(key));
      }
      return svg;
    },

    async report(incidentId: string, status: IncidentStatus | undefined, withGraph: boolean): Promise<IncidentReport | undefined> {
      try {
        return await collectReport(incidentId, {
          auditDir: deps.report.auditDir,
          publicKey: deps.report.publicKey(),
          evidence: await deps.report.evidence(),
          status,
          runbook: withGraph
            ? async (id, version) => {
                const pinned = await deps.catalog.byId(id);
                return pinned?.runbook.version === version ? pinned.runbook : undefined;
              }
            : undefined,
        });
      } catch {
        return undefined;
      }
    },
  };
}

export type IncidentData = ReturnType<typeof incidentData>;
