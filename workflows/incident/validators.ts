import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../failure-types';
import { approvalOutcome } from '../runbook-interpreter/steps/approval';
import type { AbortRequest, Actor, AnswerRequest, ClockStopRequest, DecisionRequest, RunRunbookRequest, StepResolution } from './messages';
import type { IncidentState } from './state';

/*
 * Update validators: a refusal here never enters history, and the caller (HTTP API, CLI, Slack) gets the reason at
 * once. They read state only. Each refusal has a stable type the edge maps to a status code.
 */

function refuse(type: FailureType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function requireOpen(state: IncidentState): void {
  if (state.status.phase !== 'running') refuse(FailureType.IncidentClosed, `incident is ${state.status.phase}`);
}

function requirePerson(actor: Actor): void {
  if (actor.kind !== 'person') refuse(FailureType.ApprovalNotPermitted, 'only a person can decide');
}

function requireRole(actor: Actor, allowed: string[], role: string): void {
  if (!actor.roles.some((held) => allowed.includes(held))) {
    refuse(FailureType.ApprovalNotPermitted, `${actor.id} does not hold role ${role} (one of: ${allowed.join(', ')})`);
  }
}

/** The role an override needs: the incident commander may decide or answer any waiting step, saying so. */
export const OVERRIDE_ROLE = 'incident-commander';

/** The step's own role, or (with `override`) the incident commander's; the refusal says an override exists. */
function requireStepRole(actor: Actor, step: { allowedRoles: string[]; role: string }, override: boolean | undefined): void {
  if (override) return requireRole(actor, [OVERRIDE_ROLE], `${OVERRIDE_ROLE} (to override)`);
  if (!actor.roles.some((held) => step.allowedRoles.includes(held))) {
    const hint = actor.roles.includes(OVERRIDE_ROLE) ? '; as incident commander you may override, with a reason' : '';
    refuse(FailureType.ApprovalNotPermitted, `${actor.id} does not hold role ${step.role} (one of: ${step.allowedRoles.join(', ')})${hint}`);
  }
}

export function validateDecision(state: IncidentState, request: DecisionRequest): void {
  requireOpen(state);
  requirePerson(request.actor);
  const approval = state.status.approvals.find((a) => a.stepId === request.stepId);
  if (!approval || approvalOutcome(approval) !== 'pending') refuse(FailureType.StepNotWaiting, `step ${request.stepId} is not awaiting a decision`);
  requireStepRole(request.actor, approval, request.override);
  if (request.actor.id === approval.requestedBy) {
    refuse(FailureType.ApprovalSeparationOfDuties, `${request.actor.id} requested this approval and may not decide it`);
  }
  // An approval of a draft since replaced (its attachment changed) no longer counts, so its approver may approve again.
  if (approval.decisions.some((d) => d.by === request.actor.id && (d.decision === 'reject' || d.draftSha256 === approval.draftSha256))) {
    refuse(FailureType.ApprovalSeparationOfDuties, `${request.actor.id} has already decided; ${approval.approversNeeded} distinct approvers are needed`);
  }
  // Checked after who may decide, so a person who may not decide at all learns that first.
  // An approval is of a text: approving without naming the hash shown, or naming another version, approves nothing.
  if (request.decision === 'approve' && approval.draftSha256 !== undefined && request.draftSha256 !== approval.draftSha256) {
    refuse(FailureType.ApprovalDraftMismatch, `the draft of ${request.stepId} is ${approval.draftSha256}; the approval names ${request.draftSha256 ?? 'no draft'}`);
  }
}

function answerProblem(type: string, choices: string[] | undefined, value: unknown): string | undefined {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'expected a number';
    case 'choice':
      return typeof value === 'string' && choices?.includes(value) ? undefined : `expected one of: ${(choices ?? []).join(', ')}`;
    case 'timestamp':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : 'expected an ISO-8601 timestamp with offset, e.g. 2026-11-23T09:30:00Z';
    default:
      return typeof value === 'string' && value.trim().length > 0 ? undefined : 'expected text';
  }
}

export function validateAnswer(state: IncidentState, request: AnswerRequest): void {
  requireOpen(state);
  requirePerson(request.actor);
  const pending = state.status.pendingInputs.find((p) => p.stepId === request.stepId);
  if (!pending) refuse(FailureType.StepNotWaiting, `step ${request.stepId} is not waiting for an answer`);
  requireStepRole(request.actor, pending, request.override);
  if (request.override && !request.reason) refuse(FailureType.AnswerInvalid, `an override of ${request.stepId} needs a reason`);
  const problem = answerProblem(pending.type, pending.choices, request.value);
  if (problem) refuse(FailureType.AnswerInvalid, `answer to ${request.stepId}: ${problem}`);
}

export function validateAbort(state: IncidentState, request: AbortRequest, runbookRoles: string[]): void {
  requireOpen(state);
  requirePerson(request.actor);
  requireRole(request.actor, [...runbookRoles, 'incident-commander'], 'any role of this runbook');
}

export function validateResolution(state: IncidentState, request: StepResolution, runbookRoles: string[]): void {
  requireOpen(state);
  requirePerson(request.actor);
  const step = state.status.steps.find((s) => s.id === request.stepId);
  if (!step || step.state !== 'blocked') refuse(FailureType.StepNotWaiting, `step ${request.stepId} is not blocked on a failure`);
  requireRole(request.actor, [...runbookRoles, 'incident-commander'], 'any role of this runbook');
}

export function validateRunRunbook(state: IncidentState, request: RunRunbookRequest, runbookRoles: string[]): void {
  requireOpen(state);
  // An abort requested but not yet wound down: the incident is closing, and a new child would only be cancelled.
  if (state.status.abort) refuse(FailureType.IncidentClosed, 'incident is being aborted');
  requirePerson(request.actor);
  requireRole(request.actor, [...runbookRoles, 'incident-commander'], 'any role of this runbook');
  const id = request.pinned.runbook.id;
  const added = state.status.steps.find((s) => s.id === `run-${id}`);
  if (id === state.status.runbook.id || added?.state === 'running') refuse(FailureType.RunbookAlreadyRunning, `runbook ${id} is already running in this incident`);
}

/**
 * Ending a legal duty without notifying is a disclosure decision: it takes a role that may approve this runbook's
 * disclosures, or the incident commander.
 */
export function validateClockStop(state: IncidentState, request: ClockStopRequest, disclosureRoles: string[]): void {
  requireOpen(state);
  requirePerson(request.actor);
  requireRole(request.actor, [...disclosureRoles, 'incident-commander'], 'a role that approves disclosure in this runbook');
  const clock = state.status.clocks.find((c) => c.id === request.clockId);
  if (!clock || clock.state !== 'running') refuse(FailureType.ClockNotRunning, `clock ${request.clockId} is not running in this incident`);
}
