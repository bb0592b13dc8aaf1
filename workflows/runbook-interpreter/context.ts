import type { IncidentInput } from '../incident/messages';
import type { IncidentState, StepRecord } from '../incident/state';
import { addTimeline } from '../incident/state';
import type { Duration } from '@temporalio/common';
import { durationMs } from '../deadline-clocks/durations';
import type { Compensation } from '../../runbooks/schema/step';

/** How a step ended for the sequence around it: `halt` stops the rest of that sequence (e.g. a rejected approval). */
export type StepOutcome = 'ok' | 'halt';

export interface PendingCompensation {
  stepId: string;
  compensation: Compensation;
  /** The lift workflow that undoes this step when its `ttl` passes (expiry.ts). */
  lift?: { workflowId: string; at: string };
}

/** Everything a step needs: the incident's input and live state, and the stack of undo actions. */
export interface RunContext {
  input: IncidentInput;
  state: IncidentState;
  compensations: PendingCompensation[];
}

/** Workflow time (deterministic inside the sandbox) as ISO UTC. */
export const now = (): string => new Date().toISOString();

/** The `{{...}}` scope for templates and conditions. */
export function templateScope(ctx: RunContext): Record<string, unknown> {
  const status = ctx.state.status;
  return {
    alert: ctx.input.alert ?? {},
    answers: status.answers,
    steps: ctx.state.results,
    incident: { id: status.incidentId, title: status.title, severity: status.severity, openedAt: status.openedAt, openedBy: status.openedBy },
    config: ctx.input.config,
  };
}

/**
 * The step's record. After a continue-as-new the record carried over is returned as it is (step ids are unique in a
 * runbook), so a step that was waiting picks up where it was instead of starting again.
 */
export function startStep(ctx: RunContext, id: string, kind: string, state: StepRecord['state'] = 'running'): StepRecord {
  const carried = ctx.state.status.steps.find((step) => step.id === id);
  if (carried) return carried;
  const record: StepRecord = { id, kind, state, startedAt: now() };
  ctx.state.status.steps.push(record);
  addTimeline(ctx.state, { at: record.startedAt, event: 'step.started', stepId: id, detail: kind });
  return record;
}

export function finishStep(ctx: RunContext, record: StepRecord, state: StepRecord['state'], extra: Partial<StepRecord> = {}): void {
  Object.assign(record, extra, { state, endedAt: now() });
  addTimeline(ctx.state, { at: record.endedAt!, event: `step.${state}`, stepId: record.id, detail: extra.error?.message });
}

/** Roles from config that satisfy a runbook role; an unmapped name is taken to be an organisation role itself. */
export function allowedRoles(ctx: RunContext, role: string): string[] {
  return ctx.input.pinned.runbook.roles[role] ?? [role];
}

/** Milliseconds left of `span` counted from `since` (ISO), in workflow time; never negative. */
export function remainingMs(since: string, span: string): number {
  return Math.max(0, Date.parse(since) + durationMs(span) - Date.now());
}

/** Runbook durations (`15m`, `12h`) are validated at load time to the format Temporal's timers accept. */
export const duration = (text: string): Duration => text as Duration;
