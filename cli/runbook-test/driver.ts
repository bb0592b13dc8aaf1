import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import pino from 'pino';
import { type IncidentClient, createIncidentClient } from '../../ingress/incident-client';
import type { PinnedRunbook } from '../../runbooks/schema/runbook';
import type { Logger } from '../../shared/logger';
import { bundleFirebreakWorkflows } from '../../worker/bundle-workflows';
import { temporalTestServerPath } from '../../worker/temporal-binaries';
import type { Actor } from '../../workflows/incident/messages';
import type { IncidentStatus } from '../../workflows/incident/state';
import type { incidentWorkflow as incidentWorkflowType } from '../../workflows/incident/incident-workflow';
import type { ContainmentPlanner } from '../../activities/containment/vendors';
import { type RecordedAction, createRecordingFakes } from './fake-activities';
import { type RecordedAlert, type RunbookTestScript, type ScriptedMove, alertFromRecording } from './script';
import { type LiftReport, settleLifts } from './lifts';
import { allSteps } from './steps';

export interface RunbookTestInput {
  pinned: PinnedRunbook;
  /** Child runbooks by id, pinned with the parent as the catalogue would. */
  children: Record<string, PinnedRunbook>;
  alert?: RecordedAlert;
  script: RunbookTestScript;
  /** Dry runs of the vendor containment config chooses (`--config`); absent: containment is only recorded. */
  planner?: ContainmentPlanner;
}

/** Shared across many runs (the suite runs every scenario on one server and one bundle). */
export interface RunbookTestEnvironment {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
}

export interface Move {
  step: string;
  workflowId: string;
  kind: 'answer' | 'approve' | 'reject' | 'resolve' | 'abort';
  by: string;
  /** The validator's refusal type, when the workflow refused the move. */
  refused?: string;
}

export interface RunbookTestReport {
  status: IncidentStatus;
  /** Status of each child runbook by the parent step that ran it. */
  children: Record<string, IncidentStatus>;
  moves: Move[];
  timersSkipped: { step: string; duration: string }[];
  actions: RecordedAction[];
  /** Steps left waiting with no scripted move: the run was stopped there. */
  stuckOn: string[];
  unusedMoves: string[];
  /** Containment expiries (`ttl`) the run armed: lifted, cancelled by an abort, or still armed when it ended. */
  lifts: LiftReport[];
}

const SETTLE_POLL_MS = 100;
/** Refusals are the report's business, not log lines on the terminal. */
const SILENT: Logger = pino({ level: 'silent' });
const SETTLE_LIMIT_MS = 60_000;

export async function startRunbookTestEnvironment(bundle?: WorkflowBundleWithSourceMap): Promise<RunbookTestEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  return { env, bundle: bundle ?? (await bundleFirebreakWorkflows()) };
}

interface Snapshot {
  root: IncidentStatus;
  /** Every running workflow of the incident (the root and child runbooks) with its status. */
  workflows: { id: string; status: IncidentStatus }[];
}

/** The status of one workflow; a failure to read it ends the run (a test server does not go away mid-run). */
async function statusOf(incidents: IncidentClient, id: string): Promise<IncidentStatus> {
  const status = await incidents.status(id);
  if (!status.ok) throw new Error(`runbook test: status of ${id}: ${status.problem.code} ${status.problem.message}`);
  return status.value;
}

async function snapshot(incidents: IncidentClient, rootId: string): Promise<Snapshot> {
  const workflows: Snapshot['workflows'] = [];
  const visit = async (id: string): Promise<void> => {
    const status = await statusOf(incidents, id);
    workflows.push({ id, status });
    for (const step of status.steps) if (step.kind === 'runbook' && step.state === 'running') await visit(`${id}/${step.id}`);
  };
  await visit(rootId);
  return { root: workflows[0]!.status, workflows };
}

const isIdle = (s: Snapshot): boolean => s.root.phase !== 'running' || !s.workflows.some((w) => w.status.steps.some((step) => step.kind === 'action' && step.state === 'running'));

/** Polls until the incident stops changing with no action in flight: the workflow waits on people or timers. */
async function settle(incidents: IncidentClient, rootId: string): Promise<Snapshot> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let previous = '';
  for (;;) {
    const current = await snapshot(incidents, rootId);
    const text = JSON.stringify(current);
    if ((text === previous && isIdle(current)) || Date.now() > deadline) return current;
    previous = text;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}

/** A scripted person's move through the incident client, as a person at any edge would make it. */
async function play(incidents: IncidentClient, incidentId: string, move: ScriptedMove, shown: IncidentStatus): Promise<Pick<Move, 'kind' | 'refused'>> {
  const actor: Actor = { kind: 'person', id: move.as, roles: move.roles };
  const stepId = move.step;
  const decision = move.approve !== undefined ? 'approve' : move.reject !== undefined ? 'reject' : undefined;
  const kind = move.answer !== undefined ? 'answer' : (decision ?? (move.resolve !== undefined ? 'resolve' : 'abort'));
  const outcome = await (async () => {
    if (move.answer !== undefined) return incidents.answer({ incidentId, stepId, value: move.answer, actor });
    if (decision) {
      // The scripted person approves the draft as the status showed it, naming its hash when the step has one.
      const draftSha256 = (shown.approvals.find((a) => a.stepId === stepId) as { draftSha256?: string } | undefined)?.draftSha256;
      return incidents[decision]({ incidentId, stepId, reason: (move.approve ?? move.reject)!, actor, draftSha256 });
    }
    if (move.resolve !== undefined) return incidents.resolve({ incidentId, stepId, choice: move.resolve, reason: 'runbook test script', actor });
    return incidents.abort({ incidentId, reason: move.abort!, actor });
  })();
  if (outcome.ok) return { kind };
  // A refusal is part of the report; anything else (the test server failing) ends the run.
  if (outcome.problem.status >= 500) throw new Error(`runbook test: ${kind} ${stepId}: ${outcome.problem.code} ${outcome.problem.message}`);
  return { kind, refused: outcome.problem.code };
}

function waitDuration(input: RunbookTestInput, stepId: string): string | undefined {
  for (const pinned of [input.pinned, ...Object.values(input.children)]) {
    const step = allSteps(pinned.runbook.steps).find((s) => s.id === stepId);
    if (step?.kind === 'wait') return step.duration;
  }
  return undefined;
}

async function drive(env: TestWorkflowEnvironment, incidents: IncidentClient, rootId: string, input: RunbookTestInput, report: RunbookTestReport): Promise<Snapshot> {
  const pending = [...input.script.steps];
  for (;;) {
    const snap = await settle(incidents, rootId);
    if (snap.root.phase !== 'running') return snap;
    const waiting = snap.workflows.flatMap((w) => w.status.steps.filter((s) => s.state === 'waiting' || s.state === 'blocked').map((step) => ({ workflowId: w.id, step })));
    const index = pending.findIndex((move) => waiting.some((w) => w.step.id === move.step));
    if (index >= 0) {
      const [move] = pending.splice(index, 1) as [ScriptedMove];
      const target = waiting.find((w) => w.step.id === move.step)!;
      if (move.after) {
        await env.sleep(move.after as Duration);
        report.timersSkipped.push({ step: move.step, duration: move.after });
      }
      // An abort is for the whole incident, whichever runbook is waiting.
      const workflowId = move.abort !== undefined ? rootId : target.workflowId;
      report.moves.push({ step: move.step, workflowId: target.workflowId, by: move.as, ...(await play(incidents, workflowId, move, snap.workflows.find((w) => w.id === target.workflowId)!.status)) });
      continue;
    }
    const timer = waiting.find((w) => w.step.kind === 'wait');
    const duration = timer && waitDuration(input, timer.step.id);
    if (timer && duration) {
      await env.sleep(duration as Duration);
      report.timersSkipped.push({ step: timer.step.id, duration });
      continue;
    }
    report.stuckOn = waiting.map((w) => w.step.id);
    report.unusedMoves = pending.map((move) => move.step);
    await env.client.workflow.getHandle(rootId).terminate('runbook test: no scripted move for the waiting steps');
    return snap;
  }
}

/** An address for every contact the runbooks name, so notices render without the deployment's config. */
function placeholderContacts(input: RunbookTestInput): Record<string, string> {
  const text = JSON.stringify([input.pinned, input.children]);
  const names = [...text.matchAll(/config\.contacts\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
  return Object.fromEntries(names.map((name) => [name, `${name}@runbook-test.invalid`]));
}

/** Runs a runbook on the time-skipping test server with recording fakes and scripted people; reports the path it took. */
export async function runRunbookTest(input: RunbookTestInput, shared?: RunbookTestEnvironment): Promise<RunbookTestReport> {
  const { env, bundle } = shared ?? (await startRunbookTestEnvironment());
  const taskQueue = `runbook-test-${randomUUID()}`;
  const fakes = createRecordingFakes(input.script.failures, input.planner);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: fakes.activities });
  const incidentId = `incident/runbook-test/${randomUUID().replace(/-/g, '')}`;
  const incidents = createIncidentClient({
    client: env.client,
    taskQueue,
    catalog: { byId: async (id) => (id === input.pinned.runbook.id ? input.pinned : input.children[id]), childrenOf: async () => input.children },
    contacts: placeholderContacts(input),
    // As before the flag existed: the fakes' slack.sync does nothing, and the run takes the path a Slack deployment takes.
    updateIdKey: randomBytes(32),
    // Time skips on the test server; a wall-clock deadline only has to outlast a loaded machine.
    deadlineMs: 60_000,
    log: SILENT,
  });
  const report: RunbookTestReport = { status: undefined as unknown as IncidentStatus, children: {}, moves: [], timersSkipped: [], actions: fakes.calls, stuckOn: [], unusedMoves: [], lifts: [] };
  try {
    await worker.runUntil(async () => {
      const by: Actor = input.alert ? { kind: 'source', id: 'runbook-test', roles: [] } : { kind: 'system', id: 'runbook-test', roles: [] };
      const title = input.alert?.title ?? input.pinned.runbook.title;
      const alert = input.alert ? alertFromRecording(input.alert, new Date().toISOString()) : undefined;
      const started = await incidents.start({ title, severity: input.alert?.severity ?? 'high', runbook: input.pinned.runbook.id, by }, { incidentId, alert });
      if (!started.ok) throw new Error(`runbook test: start: ${started.problem.code} ${started.problem.message}`);
      const last = await drive(env, incidents, incidentId, input, report);
      const stuck = report.stuckOn.length > 0;
      // A finished incident's result is its final status; a stopped one is reported as it stood when stopped.
      // Results are awaited without unlocking time skipping (env.client would): a closing incident only drains its
      // publisher, and skipping then would jump to the next timer anywhere on the server, such as a 30-day lift.
      const closed = new Client({ connection: env.connection, namespace: env.namespace }).workflow;
      report.status = stuck ? last.root : await closed.getHandle<typeof incidentWorkflowType>(incidentId).result();
      for (const step of report.status.steps.filter((s) => s.kind === 'runbook')) {
        const childId = `${incidentId}/${step.id}`;
        const running = last.workflows.find((w) => w.id === childId);
        report.children[step.id] = running && stuck ? running.status : await closed.getHandle<typeof incidentWorkflowType>(childId).result();
      }
      report.lifts = await settleLifts(env, closed, [report.status, ...Object.values(report.children)]);
      if (report.unusedMoves.length === 0) report.unusedMoves = input.script.steps.filter((m) => !report.moves.some((done) => done.step === m.step)).map((m) => m.step);
    });
  } finally {
    if (!shared) await env.teardown();
  }
  return report;
}
