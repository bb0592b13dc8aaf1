import { createHash } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Alert } from '../runbooks/schema/alert';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import { incidentWorkflow } from '../workflows/incident/incident-workflow';
import { type IncidentInput } from '../workflows/incident/messages';
import { alertSignal } from '../workflows/incident/definitions';
import { type RepeatDelivery, alertRepeatsSignal } from '../workflows/incident/alert-repeats';
import { listingMemo } from './incident-listing';
import { RepeatCoalescer } from './repeat-coalescer';

/** What a source does with a firing alert whose incident has closed (`sources.<name>.reopen`). */
export interface ReopenPolicy {
  /** `new-incident` (default): a successor incident opens, linked both ways. `never`: acknowledged, nothing starts. */
  mode: 'new-incident' | 'never';
  /** With `new-incident`: firing alerts within this long after the close are acknowledged, not reopened (default 0). */
  windowMs: number;
}

export const DEFAULT_REOPEN: ReopenPolicy = { mode: 'new-incident', windowMs: 0 };

/**
 * How one alert reached (or did not reach) an incident:
 * - `signalled`: it opened or joined the running incident `incidentId`;
 * - `reopened`: the previous incident had closed and `incidentId` is its successor;
 * - `after_close`: the incident had closed and nothing starts: the alert resolves or updates, re-sends the episode the
 *   incident already saw firing (same or earlier `occurredAt`), or the source's policy says so;
 * - `no_incident`: a resolve or an update for a fingerprint that never had an incident: nothing starts.
 */
export type AlertAdmission =
  | { outcome: 'signalled'; incidentId: string }
  | { outcome: 'reopened'; incidentId: string; reopenedFrom: string }
  | { outcome: 'after_close'; incidentId: string; reason: 'resolved' | 'update' | 'same_episode' | 'reopen.never' | 'reopen.window' }
  | { outcome: 'no_incident'; reason: 'resolved' | 'update' };

/** Workflow IDs are stored unencrypted, so an alert's id carries a hash of its fingerprint, never alert content. */
export function alertIncidentId(source: string, fingerprint: string, generation = 1): string {
  const base = `incident/${source}/${createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`;
  // A letter, not a dash: incident ids travel as URL path segments the API checks as [A-Za-z0-9]+.
  return generation === 1 ? base : `${base}r${generation}`;
}

/**
 * The alert as a signal carries it: without the sender's payload, which only the opening alert's evidence needs (it
 * travels in the start input). A storm's history then grows by the alert's fields, not by every body it repeats.
 */
function asSignal(alert: Alert): Alert {
  return { ...alert, raw: undefined };
}

/** What the incident keeps of a repeat: its delivery id, to count it once, and its times for the summary. */
function repeatOf(alert: Alert): RepeatDelivery {
  return { deliveryId: alert.deliveryId, receivedAt: alert.receivedAt, occurredAt: alert.occurredAt };
}

/** A fingerprint reopened this often is a loop (a sender flapping faster than runbooks finish), not an incident history. */
const MAX_GENERATIONS = 1000;

export interface SuccessionDeps {
  client: Client;
  taskQueue: string;
  /** Completes the workflow input of a new incident (only called when one may start). */
  input(base: Omit<IncidentInput, 'config' | 'children'>): Promise<IncidentInput>;
  /** Least time between two signals of repeats to one incident from this process (default 250 ms). */
  repeatWindowMs?: number;
}

type Probe = { state: 'absent' } | { state: 'running' } | { state: 'closed'; closedAt: Date };

/**
 * Incidents of one fingerprint form a chain of generations, each its own workflow id run exactly once
 * (`REJECT_DUPLICATE`): a closed incident is never run again, whatever arrives for it. Remembered per process only
 * as a starting point: generation `n` exists only once every generation before it does, so starting at a remembered
 * one skips nothing, and another replica that remembers less just walks a little further.
 */
export class IncidentSuccession {
  private readonly latest = new Map<string, number>();
  private readonly repeats: RepeatCoalescer;
  /** Per fingerprint not yet in `latest`: the first delivery's admission, which the deliveries behind it wait for. */
  private readonly finding = new Map<string, Promise<AlertAdmission>>();

  constructor(private readonly deps: SuccessionDeps) {
    this.repeats = new RepeatCoalescer({
      windowMs: deps.repeatWindowMs,
      send: (incidentId, source, deliveries) => this.signalled(() => this.handle(incidentId).signal(alertRepeatsSignal, { source, deliveries })),
    });
  }

  /**
   * Delivers one alert. Firing alerts signal-with-start the newest generation; when that one has closed, the policy
   * decides between a successor (signal-with-start of the next generation, which concurrent deliveries agree on
   * atomically) and nothing. Resolves and updates never start a workflow: they signal a running incident or, when
   * there is none, are acknowledged as they are. Alerts arriving while an incident closes are signals Temporal puts
   * before its completion (it refuses to complete a run with unseen signals), so they join it or find it closed.
   */
  async admit(alert: Alert, pinned: PinnedRunbook | undefined, policy: ReopenPolicy = DEFAULT_REOPEN): Promise<AlertAdmission> {
    const key = `${alert.source}\u0000${alert.fingerprint}`;
    if (alert.status !== 'firing' || alert.update === true || this.latest.has(key)) return this.deliver(key, alert, pinned, policy);
    // A fingerprint this process has not seen yet: the first firing alert finds its incident (or opens it) while the
    // others of a storm wait, then join it as repeats, rather than each sending a start request with the whole runbook.
    const finding = this.finding.get(key);
    if (finding) {
      await finding.catch(() => undefined);
      return this.deliver(key, alert, pinned, policy);
    }
    const admission = this.deliver(key, alert, pinned, policy);
    this.finding.set(key, admission);
    try {
      return await admission;
    } finally {
      this.finding.delete(key);
    }
  }

  private async deliver(key: string, alert: Alert, pinned: PinnedRunbook | undefined, policy: ReopenPolicy): Promise<AlertAdmission> {
    let generation = this.latest.get(key) ?? 1;
    const opens = alert.status === 'firing' && alert.update !== true;
    let closedNow: string | undefined;
    for (; generation <= MAX_GENERATIONS; generation += 1) {
      const incidentId = alertIncidentId(alert.source, alert.fingerprint, generation);
      const predecessor = generation > 1 ? alertIncidentId(alert.source, alert.fingerprint, generation - 1) : undefined;
      if (!opens) {
        const probe = await this.probe(incidentId);
        if (probe.state === 'closed') continue;
        const reason = alert.status === 'resolved' ? 'resolved' : 'update';
        if (probe.state === 'absent') {
          if (predecessor) return { outcome: 'after_close', incidentId: predecessor, reason };
          if (alert.status === 'resolved') return { outcome: 'no_incident', reason };
          // An update for an alert Firebreak never saw open (it was raised before this source was set up) opens one.
          return this.start(key, generation, incidentId, alert, pinned, undefined, undefined);
        }
        this.latest.set(key, generation);
        // False: it closed between the look and the signal, so the alert came after the close.
        const joined = await this.repeats.inOrder(incidentId, () => this.signalled(() => this.handle(incidentId).signal(alertSignal, asSignal(alert))));
        return joined ? { outcome: 'signalled', incidentId } : { outcome: 'after_close', incidentId, reason };
      }
      // A generation this process saw running takes the repeat in its next coalesced signal: a storm then costs the
      // incident one small signal per window instead of a start request (carrying the whole pinned runbook) or a signal
      // per delivery. A closed one refuses it, and the start below decides.
      if (closedNow === undefined && this.latest.get(key) === generation && (await this.repeats.repeat(incidentId, alert.source, repeatOf(alert)))) {
        return { outcome: 'signalled', incidentId };
      }
      try {
        return await this.start(key, generation, incidentId, alert, pinned, predecessor, closedNow);
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      closedNow = incidentId;
      // This generation has closed. Whether the next one may open is the source's call.
      if (policy.mode === 'never') return { outcome: 'after_close', incidentId, reason: 'reopen.never' };
      const closed = await this.closedFacts(incidentId);
      // Alertmanager re-sends a still-firing alert every repeat_interval with its original startsAt: the same episode.
      if (closed.lastFiringAt !== undefined && Date.parse(alert.occurredAt) <= Date.parse(closed.lastFiringAt)) {
        return { outcome: 'after_close', incidentId, reason: 'same_episode' };
      }
      if (policy.windowMs > 0 && closed.closedAt && Date.parse(alert.receivedAt) - closed.closedAt.getTime() < policy.windowMs) {
        return { outcome: 'after_close', incidentId, reason: 'reopen.window' };
      }
    }
    throw new Error(`fingerprint reopened more than ${MAX_GENERATIONS} times; refusing to open another incident`);
  }

  /** `closedNow`: the predecessor this call found closed, so the answer says `reopened` (a join of a successor opened earlier does not). */
  private async start(
    key: string,
    generation: number,
    incidentId: string,
    alert: Alert,
    pinned: PinnedRunbook | undefined,
    predecessor: string | undefined,
    closedNow: string | undefined,
  ): Promise<AlertAdmission> {
    if (!pinned) throw new Error('an alert that may open an incident needs its routed runbook');
    const input = await this.deps.input({
      incidentId,
      title: alert.title,
      severity: alert.severity,
      description: alert.description,
      openedBy: { kind: 'source', id: alert.source, roles: [] },
      openedAt: alert.receivedAt,
      pinned,
      alert,
      reopenedFrom: predecessor,
    });
    await this.deps.client.workflow.signalWithStart(incidentWorkflow, {
      workflowId: incidentId,
      taskQueue: this.deps.taskQueue,
      // One incident id is one run, forever: a closed id refuses the start (WorkflowExecutionAlreadyStartedError).
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
      memo: listingMemo(input),
      signal: alertSignal,
      signalArgs: [asSignal(alert)],
    });
    this.latest.set(key, generation);
    return closedNow ? { outcome: 'reopened', incidentId, reopenedFrom: closedNow } : { outcome: 'signalled', incidentId };
  }

  /**
   * When a closed incident closed and the latest episode it saw firing. A run that ended without a result (terminated,
   * failed) tells no episode, so any firing alert then counts as a new one.
   */
  private async closedFacts(incidentId: string): Promise<{ closedAt?: Date; lastFiringAt?: string }> {
    const handle = this.deps.client.workflow.getHandle<typeof incidentWorkflow>(incidentId);
    const [info, status] = await Promise.all([handle.describe(), handle.result().catch(() => undefined)]);
    return { closedAt: info.closeTime, lastFiringAt: status?.alerts.lastFiringAt };
  }

  private handle(incidentId: string) {
    return this.deps.client.workflow.getHandle(incidentId);
  }

  /** Runs a signal to a running incident; false when it has closed (or never was). */
  private async signalled(signal: () => Promise<void>): Promise<boolean> {
    try {
      await signal();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  private async probe(incidentId: string): Promise<Probe> {
    try {
      const info = await this.deps.client.workflow.getHandle(incidentId).describe();
      // A continue-as-new run is the same incident still running; only its last run closes it.
      if (info.status.name === 'RUNNING' || info.status.name === 'CONTINUED_AS_NEW') return { state: 'running' };
      return { state: 'closed', closedAt: info.closeTime ?? new Date(0) };
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return { state: 'absent' };
      throw error;
    }
  }
}
