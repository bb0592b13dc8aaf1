/**
 * The one incident client at the edge: every Temporal call about an incident goes through here. HTTP routes, Slack
 * listeners, the console and the CLI's runbook-test driver are thin adapters over it.
 *
 * ```ts
 * const incidents = createIncidentClient({ client, taskQueue, catalog, contacts, slackMirror, updateIdKey, log });
 * const outcome = await incidents.approve({ incidentId, stepId, reason, actor });
 * if (!outcome.ok) reply.code(outcome.problem.status).send(outcome.problem);
 * ```
 *
 * Methods (each resolves to `Outcome<T>`: `{ ok: true, value }` or `{ ok: false, problem: { code, message, status } }`,
 * never throws for a refusal, bad input or an outage):
 * - `start({ title, runbook, severity?, description?, by })` declares an incident → `{ incidentId }`
 * - `approve` / `reject({ incidentId, stepId, reason, actor, draftSha256? })` → `DecisionOutcome`
 * - `answer({ incidentId, stepId, value, actor })`, `abort({ incidentId, reason, actor })`
 * - `resolve({ incidentId, stepId, choice, reason, actor, submission? })`, `stopClock({ incidentId, clockId, reason, actor, submission? })`
 * - `runRunbook({ incidentId, runbook, actor, reason?, submission? })` → `{ started, childId }`
 * - `status(incidentId)` → `IncidentStatus`; `list({ running?, limit? })` → `IncidentListing[]`; `page({ running?, limit?, cursor? })`
 *   → rows from the summary memos and the next cursor;
 *   `listed({ running?, limit, cursor? })` → one visibility page with memos (the summary memo: see workflows/incident/summary.ts)
 * - `check(kind, input)`: the input problem a call would be refused with, without calling Temporal (Slack keeps a
 *   modal open with it before acking)
 * - `alert(alert, pinned, reopen?)` is the webhook intake's: it delivers an alert by the lifecycle rules of
 *   `incident-succession.ts` and throws on failure, because the intake answers senders 503 under its own deadline.
 *
 * Every method parses its input with the message schema of `workflows/incident/messages.ts` (a blank reason is
 * `request.invalid` at every edge), stamps the time, names the update by the one rule of `update-id.ts`, runs under
 * one deadline (`deadlineMs`) and maps failures by `incident-problem.ts`. Refusals are logged once here
 * (`decision refused`), and refused approvals and rejections are audited.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import type { AuditWriter } from '../audit';
import type { Alert } from '../runbooks/schema/alert';
import type { PinnedRunbook } from '../runbooks/schema/runbook';
import type { Logger } from '../shared/logger';
import { incidentWorkflow } from '../workflows/incident/incident-workflow';
import {
  AbortRequest,
  type Actor,
  AnswerRequest,
  ClockStopRequest,
  DecisionRequest,
  type IncidentInput,
  RunRunbookRequest,
  StepResolution,
} from '../workflows/incident/messages';
import { abortUpdate, answerUpdate, decideUpdate, resolveStepUpdate, runRunbookUpdate, statusQuery, stopClockUpdate } from '../workflows/incident/definitions';
import type { IncidentStatus } from '../workflows/incident/state';
import { declaredAlert, declaredIncidentId, missingConfigOf, runbookNotFound, StartRequest } from './incident-declaration';
import { type Outcome, type Problem, invalidRequest, temporalProblem, updateLostToTaskFailure } from './incident-problem';
import type { GenerationIndex } from './incident-generations';
import type { AlertAdmission, ReopenPolicy } from './alert-admission';
import { IncidentSuccession } from './incident-succession';
import { type IncidentListing, incidentsQuery, listingMemo, listingRow, type ListingPage, listPage, summaryMemo } from './incident-listing';

export type { IncidentListing } from './incident-listing';
import type { RunbookCatalog } from './runbook-catalog';
import { type UpdateKind, updateIdFor } from './update-id';

export type { Outcome, Problem } from './incident-problem';

export interface IncidentClientDeps {
  client: Client;
  /** This deployment's task queue: the namespace may hold other deployments' incidents. */
  taskQueue: string;
  catalog: Pick<RunbookCatalog, 'byId' | 'childrenOf'>;
  /** Config values runbook templates may read as `{{config.contacts.*}}`. */
  contacts: Record<string, string>;
  /** The running config as parsed: a declaration of a runbook whose `requires.config` it does not meet is refused. */
  config?: unknown;
  historyEventLimit?: number;
  /** Least time between two signals of repeats to one incident from this replica (default 250 ms, see repeat-coalescer.ts). */
  repeatWindowMs?: number;
  /** Whether a Slack workspace is configured, so incidents mirror themselves there (absent: as inputs before the flag). */
  slackMirror?: boolean;
  /** HMAC key for update ids (`deriveUpdateIdKey`): the same on every replica. */
  updateIdKey: Buffer;
  /** How long one call may wait for Temporal (default 10 s); past it the caller gets `temporal.timeout`. */
  deadlineMs?: number;
  log: Logger;
  /** Records refused approvals and rejections (who, which step, the refusal code and the reason they gave). */
  audit?: Pick<AuditWriter, 'record'>;
  /** Every generation of an alert incident ever opened, kept past Temporal's retention (see incident-generations.ts). */
  generations?: GenerationIndex;
}

type Decision = Omit<DecisionRequest, 'decision' | 'at'> & { incidentId: string };
type Answer = Omit<AnswerRequest, 'at'> & { incidentId: string };
type Abort = Omit<AbortRequest, 'at'> & { incidentId: string };
/** `submission` names one submitted form (a Slack view id): its repeat is answered with the first result. */
type Resolve = Omit<StepResolution, 'at'> & { incidentId: string; submission?: string };
type StopClock = Omit<ClockStopRequest, 'at'> & { incidentId: string; submission?: string };
type RunRunbook = { incidentId: string; runbook: string; actor: Actor; reason?: string; submission?: string };

const DEFAULT_DEADLINE_MS = 10_000;
/** Resends of an Update the server dropped with a failed workflow task (updateLostToTaskFailure): same update id, so at most once in effect. */
const UPDATE_RESENDS = 3;

/** Each update kind: the message schema it is parsed with, and its target in the update id. */
const PARSERS = {
  approve: { schema: DecisionRequest, target: (r: { stepId: string }) => r.stepId },
  reject: { schema: DecisionRequest, target: (r: { stepId: string }) => r.stepId },
  answer: { schema: AnswerRequest, target: (r: { stepId: string }) => r.stepId },
  abort: { schema: AbortRequest, target: () => '' },
  resolve: { schema: StepResolution, target: (r: { stepId: string }) => r.stepId },
  'stop-clock': { schema: ClockStopRequest, target: (r: { clockId: string }) => r.clockId },
} as const;
type CheckedKind = keyof typeof PARSERS;

const failed = (problem: Problem): { ok: false; problem: Problem } => ({ ok: false, problem });
const withoutEdgeFields = <T extends { incidentId: string; submission?: string }>({ incidentId: _i, submission: _s, ...rest }: T) => rest;

export function createIncidentClient(deps: IncidentClientDeps) {
  const { client, log } = deps;
  const deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const withDeadline = <T>(call: () => Promise<T>, ms = deadlineMs): Promise<T> => client.withDeadline(Date.now() + ms, call);

  /** Parses a request as its message schema, with the time stamped now; the problem names every bad field. */
  function parse<K extends CheckedKind>(kind: K, input: object): Outcome<z.output<(typeof PARSERS)[K]['schema']>> {
    const parsed = PARSERS[kind].schema.safeParse({ ...withoutEdgeFields(input as { incidentId: string }), ...(kind === 'approve' || kind === 'reject' ? { decision: kind } : {}), at: new Date().toISOString() });
    return parsed.success ? { ok: true, value: parsed.data as z.output<(typeof PARSERS)[K]['schema']> } : failed(invalidRequest(parsed.error));
  }

  async function call<T>(what: { kind: string; incidentId: string; target?: string; actor?: Actor; reason?: string }, run: () => Promise<T>): Promise<Outcome<T>> {
    let resends = UPDATE_RESENDS;
    for (;;) {
      try {
        return { ok: true, value: await withDeadline(run) };
      } catch (error) {
        if (resends-- > 0 && updateLostToTaskFailure(error)) continue;
        return refused(what, error);
      }
    }
  }

  /** Logs and answers a request Temporal did not complete: a validator's refusal, an outage, or a failure. */
  async function refused(what: { kind: string; incidentId: string; target?: string; actor?: Actor; reason?: string }, error: unknown): Promise<Outcome<never>> {
    const problem = temporalProblem(error);
    const facts = { incidentId: what.incidentId, kind: what.kind, target: what.target, actor: what.actor?.id, refusal: problem.code };
    if (problem.status >= 500) log.error({ ...facts, err: error }, 'incident request failed');
    else log.warn(facts, 'decision refused');
    if ((what.kind === 'approve' || what.kind === 'reject') && (problem.status === 403 || problem.status === 409) && what.actor) {
      await deps.audit?.record({
        key: `api/decision-refused/${randomUUID()}`,
        actor: { kind: 'person', id: what.actor.id },
        action: 'decision.refused',
        incidentId: what.incidentId,
        subject: what.target,
        data: { decision: what.kind, refusal: problem.code, status: problem.status, roles: what.actor.roles, reason: what.reason ?? '' },
      });
    }
    return failed(problem);
  }

  /** Parse, name and send one Update: the shared path of every decision kind. */
  function update<K extends CheckedKind, R>(kind: K, input: { incidentId: string; actor: Actor; submission?: string }, send: (request: never, updateId: string) => Promise<R>): Promise<Outcome<R>> {
    const parsed = parse(kind, input);
    if (!parsed.ok) return Promise.resolve(parsed);
    const target = PARSERS[kind].target(parsed.value as never);
    const updateId = updateIdFor(deps.updateIdKey, { kind: kind as UpdateKind, incidentId: input.incidentId, target, personId: input.actor.id, submission: input.submission });
    return call({ kind, incidentId: input.incidentId, target, actor: input.actor, reason: (parsed.value as { reason?: string }).reason }, () => send(parsed.value as never, updateId));
  }

  const handle = (incidentId: string) => client.workflow.getHandle(incidentId);
  const succession = new IncidentSuccession({ client, taskQueue: deps.taskQueue, repeatWindowMs: deps.repeatWindowMs, generations: deps.generations, input: (base) => incidentInput(base) });

  async function incidentInput(base: Omit<IncidentInput, 'config' | 'children'>): Promise<IncidentInput> {
    return { ...base, children: await deps.catalog.childrenOf(base.pinned), config: { contacts: deps.contacts }, historyEventLimit: deps.historyEventLimit, slackMirror: deps.slackMirror };
  }

  return {
    check(kind: CheckedKind, input: object): Problem | undefined {
      const parsed = parse(kind, input);
      return parsed.ok ? undefined : parsed.problem;
    },

    /** `recorded`: the runbook-test driver's own incident id and recorded alert (people's edges never pass it). */
    async start(input: StartRequest & { by: Actor }, recorded: { incidentId?: string; alert?: Alert } = {}): Promise<Outcome<{ incidentId: string }>> {
      const parsed = StartRequest.safeParse(input);
      if (!parsed.success) return failed(invalidRequest(parsed.error));
      const pinned = await deps.catalog.byId(parsed.data.runbook);
      if (!pinned) return failed(runbookNotFound(parsed.data.runbook));
      const children = await deps.catalog.childrenOf(pinned);
      const unsetConfig = missingConfigOf(pinned, children, deps.config);
      if (unsetConfig) return failed(unsetConfig);
      const incidentId = recorded.incidentId ?? declaredIncidentId();
      const { title, severity, description, labels } = parsed.data;
      const openedAt = recorded.alert?.receivedAt ?? new Date().toISOString();
      // The runbook-test driver replays a recorded incident as it was (its alert, or none).
      const alert = recorded.alert ?? (recorded.incidentId ? undefined : declaredAlert(incidentId, { title, severity, description, labels }, openedAt));
      const args = await incidentInput({ incidentId, title, severity, description, openedBy: input.by, openedAt, pinned, alert });
      return call({ kind: 'start', incidentId, actor: input.by }, async () => {
        await client.workflow.start(incidentWorkflow, { workflowId: incidentId, taskQueue: deps.taskQueue, args: [args], memo: listingMemo(args) });
        return { incidentId };
      });
    },

    /** One alert to its incident: opened, joined, reopened as a successor, or acknowledged after the close. */
    alert: (alert: Alert, pinned: PinnedRunbook | undefined, reopen?: ReopenPolicy): Promise<AlertAdmission> => succession.admit(alert, pinned, reopen),
    /** Whether a firing alert will most likely join an incident running now, needing no runbook (see `IncidentSuccession.joinsRunning`). */
    joinsRunning: (alert: Alert): boolean => succession.joinsRunning(alert),

    approve: (input: Decision) => update('approve', input, (request: DecisionRequest, updateId) => handle(input.incidentId).executeUpdate(decideUpdate, { updateId, args: [request] })),
    reject: (input: Decision) => update('reject', input, (request: DecisionRequest, updateId) => handle(input.incidentId).executeUpdate(decideUpdate, { updateId, args: [request] })),
    answer: (input: Answer) => update('answer', input, (request: AnswerRequest, updateId) => handle(input.incidentId).executeUpdate(answerUpdate, { updateId, args: [request] })),
    abort: (input: Abort) => update('abort', input, (request: AbortRequest, updateId) => handle(input.incidentId).executeUpdate(abortUpdate, { updateId, args: [request] })),
    resolve: (input: Resolve) => update('resolve', input, (request: StepResolution, updateId) => handle(input.incidentId).executeUpdate(resolveStepUpdate, { updateId, args: [request] })),
    stopClock: (input: StopClock) => update('stop-clock', input, (request: ClockStopRequest, updateId) => handle(input.incidentId).executeUpdate(stopClockUpdate, { updateId, args: [request] })),

    /**
     * Runs a library runbook in an incident under way, pinned now with its children (an Update: refusals come back
     * at once and are never recorded). A retry of the same request is answered with the first result while it runs.
     */
    async runRunbook(input: RunRunbook): Promise<Outcome<{ started: true; childId: string }>> {
      const pinned = await deps.catalog.byId(input.runbook);
      if (!pinned) return failed(runbookNotFound(input.runbook));
      const children = await deps.catalog.childrenOf(pinned);
      const unsetConfig = missingConfigOf(pinned, children, deps.config);
      if (unsetConfig) return failed(unsetConfig);
      const parsed = RunRunbookRequest.safeParse({ pinned, children, actor: input.actor, at: new Date().toISOString(), ...(input.reason ? { reason: input.reason } : {}) });
      if (!parsed.success) return failed(invalidRequest(parsed.error));
      const updateId = updateIdFor(deps.updateIdKey, { kind: 'run-runbook', incidentId: input.incidentId, target: input.runbook, personId: input.actor.id, submission: input.submission });
      return call({ kind: 'run-runbook', incidentId: input.incidentId, target: input.runbook, actor: input.actor }, () => handle(input.incidentId).executeUpdate(runRunbookUpdate, { updateId, args: [parsed.data] }));
    },

    status: (incidentId: string): Promise<Outcome<IncidentStatus>> => call({ kind: 'status', incidentId }, () => handle(incidentId).query(statusQuery)),

    /** This deployment's incidents, newest first, one row each: at most `limit` (100), running only with `running`. */
    async list(options: { running?: boolean; limit?: number } = {}): Promise<Outcome<IncidentListing[]>> {
      const limit = options.limit ?? 100;
      const query = incidentsQuery(deps.taskQueue, options.running ?? false);
      const listed = await call({ kind: 'list', incidentId: '*' }, async () => {
        const infos: WorkflowExecutionInfo[] = [];
        for await (const info of client.workflow.list({ query, pageSize: limit })) {
          infos.push(info);
          if (infos.length >= limit) break;
        }
        return infos;
      });
      if (!listed.ok) return listed;
      return { ok: true, value: listed.value.map((info) => ({ id: info.workflowId, temporalStatus: info.status.name, startedAt: info.startTime.toISOString(), closedAt: info.closeTime?.toISOString() })) };
    },

    /** One page of incidents as the visibility store has them, memos included; no incident is asked anything. */
    listed: (options: { running?: boolean; limit: number; cursor?: string }): Promise<Outcome<ListingPage>> => call({ kind: 'list', incidentId: '*' }, () => listPage(client, deps.taskQueue, options)),

    /**
     * One page of incidents, newest first, one row per incident, and the cursor of the next page when there is one.
     * Rows come from what Temporal's visibility store returns (the summary memo each incident keeps): no incident is
     * asked anything, except a running one started before the summary memo existed; a closed one is never replayed.
     */
    async page(options: { running?: boolean; limit?: number; cursor?: string } = {}): Promise<Outcome<{ incidents: IncidentListing[]; people: ReadonlyMap<string, readonly string[]>; next?: string }>> {
      const listed = await call({ kind: 'list', incidentId: '*' }, () => listPage(client, deps.taskQueue, { running: options.running, limit: options.limit ?? 50, cursor: options.cursor }));
      if (!listed.ok) return listed;
      const rows = await Promise.all(listed.value.infos.map((info) => listingRow(client, info)));
      // Who took part, per memo row: the read guard decides a participant's sight from it instead of asking each row.
      const people = new Map<string, readonly string[]>();
      for (const info of listed.value.infos) {
        const memo = summaryMemo(info);
        if (memo) people.set(info.workflowId, memo.people);
      }
      return { ok: true, value: { incidents: rows, people, ...(listed.value.next && { next: listed.value.next }) } };
    },
  };
}

export type IncidentClient = ReturnType<typeof createIncidentClient>;
