import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ulid } from 'ulid';
import type { Alert } from '../runbooks/schema/alert';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import { type Actor, type IncidentInput, alertSignal } from '../workflows/incident/messages';

/** Workflow IDs are stored unencrypted, so an alert's id carries a hash of its fingerprint, never alert content. */
export function alertIncidentId(source: string, fingerprint: string): string {
  return `incident/${source}/${createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`;
}

export function declaredIncidentId(): string {
  return `incident/declared/${ulid()}`;
}

const ACCEPT_DEADLINE_MS = 4_000;

export interface IncidentStarterDeps {
  client: Client;
  taskQueue: string;
  contacts: Record<string, string>;
  historyEventLimit?: number;
  /** Whether a Slack workspace is configured, so incidents mirror themselves there. */
  slackMirror: boolean;
  childrenOf(pinned: PinnedRunbook): Promise<Record<string, PinnedRunbook>>;
}

/** Turns accepted alerts and declarations into Temporal calls; resolves only once Temporal has durably accepted them. */
export class IncidentStarter {
  constructor(private readonly deps: IncidentStarterDeps) {}

  private async input(base: Omit<IncidentInput, 'config' | 'children'>): Promise<IncidentInput> {
    return { ...base, children: await this.deps.childrenOf(base.pinned), config: { contacts: this.deps.contacts }, historyEventLimit: this.deps.historyEventLimit, slackMirror: this.deps.slackMirror };
  }

  /**
   * Signal-with-start: a running incident for this fingerprint gets the alert as a signal; otherwise a new incident
   * starts. The server decides atomically, so concurrent identical deliveries can't open two incidents.
   */
  async alert(alert: Alert, pinned: PinnedRunbook): Promise<{ incidentId: string }> {
    const incidentId = alertIncidentId(alert.source, alert.fingerprint);
    const input = await this.input({
      incidentId,
      title: alert.title,
      severity: alert.severity,
      description: alert.description,
      openedBy: { kind: 'source', id: alert.source, roles: [] },
      openedAt: alert.receivedAt,
      pinned,
      alert,
    });
    // Senders wait only seconds (PagerDuty 5 s): answer 503 in time for them to retry rather than time out.
    await this.deps.client.connection.withDeadline(Date.now() + ACCEPT_DEADLINE_MS, () =>
      this.deps.client.workflow.signalWithStart('incidentWorkflow', {
        workflowId: incidentId,
        taskQueue: this.deps.taskQueue,
        args: [input],
        signal: alertSignal,
        signalArgs: [alert],
      }),
    );
    return { incidentId };
  }

  async declare(request: { title: string; severity: Alert['severity']; description?: string; by: Actor; at: string }, pinned: PinnedRunbook): Promise<{ incidentId: string }> {
    const incidentId = declaredIncidentId();
    const input = await this.input({ incidentId, title: request.title, severity: request.severity, description: request.description, openedBy: request.by, openedAt: request.at, pinned });
    await this.deps.client.workflow.start('incidentWorkflow', { workflowId: incidentId, taskQueue: this.deps.taskQueue, args: [input] });
    return { incidentId };
  }
}
