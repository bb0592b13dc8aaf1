import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { z } from 'zod';
import { EvidenceError } from '../../../evidence';
import { FailureType } from '../../../workflows/failure-types';
import type { ActionRequest } from '../../../workflows/runbook-interpreter/steps/action';
import { VendorFailureType } from './failures';
import { type StateEvidenceDeps, recordState, recordedBefore } from './state-evidence';

/**
 * The shape of one vendor containment action and its undo, and the two activity bodies that run them. An adapter
 * supplies only vendor facts (how to read the target's state, how to contain it, how to put a recorded state back,
 * and the requests it would send); the runner supplies the rest the same way for every vendor:
 *
 *   forward: parse input → read state → record "before" (write-once) → `run` → read → record "after"
 *   undo:    find the forward step's recorded "before" → read state → `restore` to it → read → record, and report
 *            whether the state read back equals the recorded one
 *
 * `run` and `restore` must be idempotent given the current state (suspend only an active user), which makes every
 * action safe to retry. A state recorded as already contained stays contained after undo. When an undo step runs
 * without a recorded state (a runbook step like `identity.enable-user` on its own), `restore` gets `undefined` and
 * performs the plain reverse. `plan` is the dry run `firebreak runbook test` prints: the exact requests, no I/O.
 */

/** One request a dry run would send: the HTTP request for REST vendors, the SDK command or LDAP operation otherwise. */
export interface PlannedCall {
  vendor: string;
  /** `POST https://acme.okta.com/api/v1/users/alice/lifecycle/suspend`, `iam:UpdateAccessKey`, `ldap modify`. */
  operation: string;
  request?: unknown;
  /** Why it may be skipped (`only if the user is ACTIVE`). */
  when?: string;
}

export interface VendorAction<I, S> {
  /** The vendor's name in config and evidence (`okta`, `aws`, `ldap`). */
  vendor: string;
  /** The forward action's name (a capability such as `identity.disable-user`); states are recorded under it. */
  name: string;
  input: z.ZodType<I>;
  /** What is acted on, as people name it: `user alice@example.com`, `access key AKIA...`. */
  target(input: I): string;
  read(input: I): Promise<S>;
  run(input: I, current: S): Promise<void>;
  restore(input: I, recorded: S | undefined, current: S): Promise<void>;
  plan(input: I): PlannedCall[];
  planRestore(input: I): PlannedCall[];
  /** Secret values (tokens, passwords) the recorded states must never contain. */
  secrets?: () => string[];
  /** Why the action has no undo (ended sessions, reset factors); the step's outcome says so. */
  irreversible?: string;
}

export interface StateRef<S> {
  evidenceId: string;
  sha256: string;
  state: S;
}

export interface ContainmentOutcome<S> {
  vendor: string;
  target: string;
  before: StateRef<S>;
  after: StateRef<S>;
  /** Undo only: whether the state read back equals the recorded prior state; absent when nothing was recorded. */
  restoredToRecorded?: boolean;
  /** An action without undo: why (the timeline and report show it beside the recorded before state). */
  irreversible?: string;
}

export function parseInput<I>(action: { name: string; input: z.ZodType<I> }, request: ActionRequest): I {
  const parsed = action.input.safeParse(request.input);
  if (parsed.success) return parsed.data;
  const paths = parsed.error.issues.map((issue) => issue.path.join('.'));
  throw ApplicationFailure.create({ type: FailureType.ActionInputInvalid, message: `${action.name}: input invalid at ${paths.join(', ')}`, nonRetryable: true, details: [{ paths }] });
}

async function evidenceCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof EvidenceError && error.code === 'evidence.tampered') {
      throw ApplicationFailure.create({ type: FailureType.EvidenceTampered, message: 'the recorded prior state no longer matches its hash', nonRetryable: true, details: [error.details] });
    }
    throw error;
  }
}

/** The activity body for the forward action. */
export function forwardActivity<I, S>(action: VendorAction<I, S>, deps: StateEvidenceDeps) {
  return async (request: ActionRequest): Promise<ContainmentOutcome<S>> => {
    const input = parseInput(action, request);
    const target = action.target(input);
    const doc = (phase: 'before' | 'after', state: S) => ({ vendor: action.vendor, action: action.name, target, phase, state });
    const secrets = action.secrets?.() ?? [];
    const current = await action.read(input);
    const before = await evidenceCall(() => recordState(deps, request, doc('before', current), secrets));
    await action.run(input, current);
    const afterState = await action.read(input);
    const after = await evidenceCall(() => recordState(deps, request, doc('after', afterState), secrets));
    log.info('containment action done', { incidentId: request.incidentId, stepId: request.stepId, action: action.name, vendor: action.vendor });
    return { vendor: action.vendor, target, before, after, ...(action.irreversible ? { irreversible: action.irreversible } : {}) };
  };
}

/** The activity body for the undo: restores the state the compensated step recorded before it acted. */
export function undoActivity<I, S>(action: VendorAction<I, S>, undoName: string, deps: StateEvidenceDeps) {
  return async (request: ActionRequest): Promise<ContainmentOutcome<S>> => {
    const input = parseInput({ name: undoName, input: action.input }, request);
    const target = action.target(input);
    const doc = (phase: 'before' | 'after', state: S) => ({ vendor: action.vendor, action: undoName, target, phase, state });
    const secrets = action.secrets?.() ?? [];
    const recorded = await evidenceCall(() => recordedBefore<S>(deps, request));
    const current = await action.read(input);
    const before = await evidenceCall(() => recordState(deps, request, doc('before', current), secrets));
    await action.restore(input, recorded?.state, current);
    const afterState = await action.read(input);
    const after = await evidenceCall(() => recordState(deps, request, doc('after', afterState), secrets));
    log.info('containment undo done', { incidentId: request.incidentId, stepId: request.stepId, action: undoName, vendor: action.vendor, recorded: recorded !== undefined });
    return { vendor: action.vendor, target, before, after, ...(recorded ? { restoredToRecorded: isDeepStrictEqual(after.state, recorded.state) } : {}) };
  };
}

export function notConfigured(capability: string, setting: string): never {
  throw ApplicationFailure.create({ type: VendorFailureType.NotConfigured, message: `${capability}: no vendor configured (${setting})`, nonRetryable: true, details: [{ capability, setting }] });
}
