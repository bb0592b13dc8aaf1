import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Alert } from '../runbooks/schema/alert';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import { incidentWorkflow } from '../workflows/incident/incident-workflow';
import { type IncidentInput } from '../workflows/incident/messages';
import { alertSignal } from '../workflows/incident/definitions';
import { type RepeatDelivery, alertRepeatsSignal } from '../workflows/incident/alert-repeats';
import { type GenerationIndex, generationId, type LatestGeneration, MemoryGenerationIndex, type OpenedGeneration } from './incident-generations';
import { listingMemo } from './incident-listing';
import { type AlertAdmission, alertIncidentId, DEFAULT_REOPEN, type ReopenPolicy, RunbookNeededError } from './alert-admission';
import { RepeatCoalescer } from './repeat-coalescer';

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
  /** The generations ever opened, kept past Temporal's retention (the service's is in the data dir; default: memory). */
  generations?: GenerationIndex;
}

type Probe = { state: 'absent' } | { state: 'running' } | { state: 'closed'; closedAt: Date };

/** What is known of a closed generation when a firing alert asks for its successor. */
interface ClosedFacts {
  closedAt?: Date;
  lastFiringAt?: string;
}

/**
 * Incidents of one fingerprint form a chain of generations, each its own workflow id run exactly once
 * (`REJECT_DUPLICATE`): a closed incident is never run again, whatever arrives for it. Temporal forgets a closed
 * incident after the namespace's retention period, and would then let its id start again; so every generation opened
 * is recorded in a durable index before the sender is answered, and a generation the index holds is only ever joined
 * while running, never started: once Temporal has forgotten it, it counts as closed. Generation `n` exists only once
 * every generation before it does, so a walk starting at a remembered or recorded one skips nothing.
 */
export class IncidentSuccession {
  private readonly latest = new Map<string, number>();
  /** Per fingerprint: the newest generation the index held when this process last read it (it only grows). */
  private readonly recorded = new Map<string, LatestGeneration>();
  private readonly generations: GenerationIndex;
  private readonly repeats: RepeatCoalescer;
  /** Per fingerprint not yet in `latest`: the first delivery's admission, which the deliveries behind it wait for. */
  private readonly finding = new Map<string, Promise<AlertAdmission>>();

  constructor(private readonly deps: SuccessionDeps) {
    this.generations = deps.generations ?? new MemoryGenerationIndex();
    this.repeats = new RepeatCoalescer({
      windowMs: deps.repeatWindowMs,
      send: (incidentId, source, deliveries) => this.signalled(() => this.handle(incidentId).signal(alertRepeatsSignal, { source, deliveries })),
    });
  }

  /**
   * True when a firing alert will most likely join an incident this process saw running: its delivery then needs no
   * runbook (the incident keeps the one it was pinned to), so the ingress skips routing it. Should that incident have
   * closed meanwhile, `admit` without a runbook throws `RunbookNeededError` before opening anything.
   */
  joinsRunning(alert: Alert): boolean {
    return alert.status === 'firing' && alert.update !== true && this.latest.has(`${alert.source}\u0000${alert.fingerprint}`);
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
    const baseId = alertIncidentId(alert.source, alert.fingerprint);
    // The index is read at most once per delivery, and only when this process has nothing newer to go on.
    let fresh = false;
    const recorded = async (): Promise<number> => {
      if (!fresh) {
        fresh = true;
        const latest = await this.generations.latest(baseId);
        if (latest && latest.generation > this.recordedGeneration(key)) this.recorded.set(key, latest);
      }
      return this.recordedGeneration(key);
    };
    const everOpened = async (generation: number): Promise<boolean> => generation <= this.recordedGeneration(key) || generation <= (await recorded());
    let generation = this.latest.get(key) ?? Math.max(1, await recorded());
    const opens = alert.status === 'firing' && alert.update !== true;
    let closedNow: string | undefined;
    for (; generation <= MAX_GENERATIONS; generation += 1) {
      const incidentId = alertIncidentId(alert.source, alert.fingerprint, generation);
      const predecessor = generation > 1 ? alertIncidentId(alert.source, alert.fingerprint, generation - 1) : undefined;
      if (!opens) {
        const probe = await this.probe(incidentId);
        if (probe.state !== 'absent') await this.sighted(key, baseId, generation, incidentId);
        // Closed, or opened once and since forgotten by Temporal: the answer lies with a later generation.
        if (probe.state === 'closed' || (probe.state === 'absent' && (await everOpened(generation)))) continue;
        const reason = alert.status === 'resolved' ? 'resolved' : 'update';
        if (probe.state === 'absent') {
          if (predecessor) return { outcome: 'after_close', incidentId: predecessor, reason };
          if (alert.status === 'resolved') return { outcome: 'no_incident', reason };
          // An update for an alert Firebreak never saw open (it was raised before this source was set up) opens one.
          return this.start(key, baseId, generation, incidentId, alert, pinned, undefined, undefined);
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
      // A start of a generation Temporal has forgotten would run its id a second time: join it only while it runs.
      const probe = (await everOpened(generation)) ? await this.probe(incidentId) : undefined;
      if (probe === undefined || probe.state === 'running') {
        try {
          return await this.start(key, baseId, generation, incidentId, alert, pinned, predecessor, closedNow);
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
        await this.sighted(key, baseId, generation, incidentId);
      }
      // A later generation was opened (by another replica, or before Temporal forgot this one): it decides, and a join
      // of it is no reopening by this alert.
      if (generation < (await recorded())) {
        closedNow = undefined;
        continue;
      }
      closedNow = incidentId;
      // This generation has closed. Whether the next one may open is the source's call.
      if (policy.mode === 'never') return { outcome: 'after_close', incidentId, reason: 'reopen.never' };
      const closed = probe?.state === 'absent' ? this.forgottenFacts(key, generation) : await this.closedFacts(incidentId);
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

  private recordedGeneration(key: string): number {
    return this.recorded.get(key)?.generation ?? 0;
  }

  /** Records a generation found in Temporal that the index lacks (opened before it, or a crash cut its record). */
  private async sighted(key: string, baseId: string, generation: number, incidentId: string, facts: Omit<OpenedGeneration, 'generation' | 'incidentId'> = {}): Promise<void> {
    if (generation <= this.recordedGeneration(key)) return;
    const opened = { generation, incidentId, ...facts };
    await this.generations.record(baseId, opened);
    this.recorded.set(key, { generation, opened });
  }

  /**
   * What is left of a generation Temporal has forgotten: the episode it opened on (it saw at least that one firing).
   * Its close time is gone with it; it closed at least the retention period ago, longer than any sensible window.
   */
  private forgottenFacts(key: string, generation: number): ClosedFacts {
    const latest = this.recorded.get(key);
    return latest?.generation === generation && latest.opened?.occurredAt ? { lastFiringAt: latest.opened.occurredAt } : {};
  }

  /** `closedNow`: the predecessor this call found closed, so the answer says `reopened` (a join of a successor opened earlier does not). */
  private async start(
    key: string,
    baseId: string,
    generation: number,
    incidentId: string,
    alert: Alert,
    pinned: PinnedRunbook | undefined,
    predecessor: string | undefined,
    closedNow: string | undefined,
  ): Promise<AlertAdmission> {
    if (!pinned) throw new RunbookNeededError();
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
    // Durable before the sender hears of it: a crash before this line leaves the sender unanswered, and its retry
    // finds the generation in Temporal and records it then.
    await this.sighted(key, baseId, generation, incidentId, { openedAt: alert.receivedAt, occurredAt: alert.occurredAt });
    this.latest.set(key, generation);
    return closedNow ? { outcome: 'reopened', incidentId, reopenedFrom: closedNow } : { outcome: 'signalled', incidentId };
  }

  /**
   * When a closed incident closed and the latest episode it saw firing. A run that ended without a result (terminated,
   * failed) tells no episode, so any firing alert then counts as a new one.
   */
  private async closedFacts(incidentId: string): Promise<ClosedFacts> {
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
