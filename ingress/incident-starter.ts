import type { Client } from '@temporalio/client';
import { ulid } from 'ulid';
import type { Alert } from '../runbooks/schema/alert';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import { type Actor, type IncidentInput } from '../workflows/incident/messages';
import { type AlertAdmission, IncidentSuccession, type ReopenPolicy } from './incident-succession';

export { alertIncidentId } from './incident-succession';

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
  private readonly succession: IncidentSuccession;

  constructor(private readonly deps: IncidentStarterDeps) {
    this.succession = new IncidentSuccession({ client: deps.client, taskQueue: deps.taskQueue, input: (base) => this.input(base) });
  }

  private async input(base: Omit<IncidentInput, 'config' | 'children'>): Promise<IncidentInput> {
    return { ...base, children: await this.deps.childrenOf(base.pinned), config: { contacts: this.deps.contacts }, historyEventLimit: this.deps.historyEventLimit, slackMirror: this.deps.slackMirror };
  }

  /**
   * Delivers an alert to its incident by the lifecycle rules of {@link IncidentSuccession}: a firing alert opens or
   * joins the incident of its fingerprint (or its successor once that closed); a resolve never opens one. `pinned` may be
   * absent only for resolves, which start nothing.
   */
  async alert(alert: Alert, pinned: PinnedRunbook | undefined, reopen?: ReopenPolicy): Promise<AlertAdmission> {
    // Senders wait only seconds (PagerDuty 5 s): answer 503 in time for them to retry rather than time out.
    return this.deps.client.connection.withDeadline(Date.now() + ACCEPT_DEADLINE_MS, () => this.succession.admit(alert, pinned, reopen));
  }

  async declare(request: { title: string; severity: Alert['severity']; description?: string; by: Actor; at: string }, pinned: PinnedRunbook): Promise<{ incidentId: string }> {
    const incidentId = declaredIncidentId();
    const input = await this.input({ incidentId, title: request.title, severity: request.severity, description: request.description, openedBy: request.by, openedAt: request.at, pinned });
    await this.deps.client.workflow.start('incidentWorkflow', { workflowId: incidentId, taskQueue: this.deps.taskQueue, args: [input] });
    return { incidentId };
  }
}
