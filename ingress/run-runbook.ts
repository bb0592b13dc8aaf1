import type { Client } from '@temporalio/client';
import { type Actor, type RunRunbookRequest, runRunbookUpdate } from '../workflows/incident/messages';
import type { RunbookCatalog } from './runbook-catalog';

/** The runbook resolved and pinned now, with its child runbooks, as a new incident would pin it; undefined if unknown. */
export async function pinForRun(catalog: RunbookCatalog, runbookId: string): Promise<Pick<RunRunbookRequest, 'pinned' | 'children'> | undefined> {
  const pinned = await catalog.byId(runbookId);
  if (!pinned) return undefined;
  return { pinned, children: await catalog.childrenOf(pinned) };
}

/**
 * Asks the incident to run the pinned runbook beside its own (an Update: refusals come back at once and are never
 * recorded). A retry of the same request is answered with the first result while that runbook runs.
 */
export function runRunbook(
  client: Client,
  incidentId: string,
  resolved: Pick<RunRunbookRequest, 'pinned' | 'children'>,
  actor: Actor,
  reason?: string,
): Promise<{ started: true; childId: string }> {
  return client.workflow.getHandle(incidentId).executeUpdate(runRunbookUpdate, {
    args: [{ ...resolved, actor, at: new Date().toISOString(), ...(reason ? { reason } : {}) }],
  });
}
