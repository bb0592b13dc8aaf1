import type { WebClient } from '@slack/web-api';
import type { ApprovalSnapshot, IncidentSnapshot, InputSnapshot, SlackSyncRequest } from '../../workflows/incident/slack-snapshot';
import type { TimelineEntry } from '../../workflows/incident/state';
import { type FailedStepView, approvalBlocks, failedStepBlocks, inputBlocks } from './blocks/step-blocks';
import { statusBlocks } from './blocks/status-blocks';
import { clip, escapeMrkdwn, shortTime } from './blocks/format';
import { type ChannelDeps, ensureIncidentChannel, inviteResponders } from './channel';
import { type PostingDeps, postOnce, showOnce } from './posting';
import { callSlack, callSlackTolerating } from './web-client';

export interface SyncDeps extends ChannelDeps, PostingDeps {
  client: WebClient;
  /** Link to an incident in the Temporal UI; undefined when there is no UI to link to. */
  temporalUrl(incidentId: string): string | undefined;
  now(): Date;
}

export interface SyncResult {
  channel: string;
  statusTs: string;
  threadTs?: string;
}

const ESCALATIONS = new Set(['approval.escalated', 'input.escalated']);
const STEP_ESCALATED = 'step.escalated';
const RESOLUTION = /^step\.resolution\.(\w+)$/;
/** Who is called when a step is blocked on a failure (any runbook role may choose; the commander is the one asked). */
const BLOCKED_STEP_ROLE = 'incident-commander';

function mentionsForRoles(deps: SyncDeps, orgRoles: readonly string[]): string[] {
  return [...new Set(orgRoles.flatMap((role) => deps.roles.mentions(role)))];
}

/** The org roles behind a runbook role name (an unmapped name is an org role itself, as the workflow treats it). */
const orgRolesOf = (snapshot: IncidentSnapshot, role: string): string[] => snapshot.roles[role] ?? [role];

async function syncApproval(deps: SyncDeps, snapshot: IncidentSnapshot, channel: string, approval: ApprovalSnapshot): Promise<void> {
  const content = approvalBlocks(snapshot.incidentId, approval, mentionsForRoles(deps, approval.allowedRoles));
  await showOnce(deps, `${snapshot.incidentId}/step/${approval.stepId}`, channel, content);
}

async function syncInput(deps: SyncDeps, snapshot: IncidentSnapshot, channel: string, input: InputSnapshot): Promise<void> {
  const key = `${snapshot.incidentId}/step/${input.stepId}`;
  // Once answered the workflow no longer reports the question: the message keeps the one it first showed.
  const ask = input.ask ?? ((await deps.store.get(key))?.note?.ask as string | undefined);
  if (ask === undefined) return;
  await showOnce(deps, key, channel, inputBlocks(snapshot.incidentId, input, ask, mentionsForRoles(deps, input.allowedRoles ?? [])), { ask });
}

function timelineLine(entry: TimelineEntry): string {
  const parts = [`\`${shortTime(entry.at)}\``, `*${entry.event}*`, entry.stepId, entry.actor && `by ${escapeMrkdwn(entry.actor)}`, entry.detail && `— ${escapeMrkdwn(entry.detail)}`];
  return parts.filter(Boolean).join(' ');
}

/** Mentions `role` in the channel and DMs each of its members, each once per escalation entry (`index`). */
async function escalate(deps: SyncDeps, snapshot: IncidentSnapshot, channel: string, role: string, index: number, what: string): Promise<void> {
  const orgRoles = orgRolesOf(snapshot, role);
  const key = `${snapshot.incidentId}/escalation/${index}`;
  const text = `:rotating_light: *Escalation*: ${what} ${mentionsForRoles(deps, orgRoles).join(' ')}`;
  await postOnce(deps, key, channel, { text });
  const members = [...new Set((await Promise.all(orgRoles.map((r) => deps.roles.holders(r)))).flat())];
  for (const user of members) {
    const dmKey = `${key}/dm/${user}`;
    // A retried sync skips members already told rather than opening their DM again (conversations.open is a call of its own).
    if (await deps.store.get(dmKey)) continue;
    const dm = await callSlack('conversations.open', () => deps.client.conversations.open({ users: user }));
    await postOnce(deps, dmKey, dm.channel!.id!, { text: `${text}\nChannel: <#${channel}>` });
  }
}

/** What a failed-step message remembers between syncs: entries reach it once, the snapshot carries neither. */
type FailedStepNote = Pick<FailedStepView, 'failure' | 'resolution'>;

/**
 * The message for each action step that failed under `escalate`: buttons while it is blocked, the choice once made.
 * The failure and the choice come from this batch's timeline entries, else from what the message showed last.
 */
async function syncFailedSteps(deps: SyncDeps, snapshot: IncidentSnapshot, channel: string, entries: readonly TimelineEntry[]): Promise<void> {
  const mentions = mentionsForRoles(deps, orgRolesOf(snapshot, BLOCKED_STEP_ROLE));
  for (const step of snapshot.steps) {
    const own = entries.filter((e) => e.stepId === step.id && (e.event === STEP_ESCALATED || RESOLUTION.test(e.event)));
    if (step.state !== 'blocked' && own.length === 0) continue;
    // An incident aborted while the step was blocked leaves it so: its buttons go, nothing can be chosen any more.
    const blocked = step.state === 'blocked' && snapshot.phase === 'running';
    const key = `${snapshot.incidentId}/step/${step.id}`;
    const seen = (await deps.store.get(key))?.note as FailedStepNote | undefined;
    const note: FailedStepNote = { ...seen };
    for (const entry of own) {
      const choice = RESOLUTION.exec(entry.event)?.[1];
      if (choice) note.resolution = { choice, by: entry.actor, at: entry.at, reason: entry.detail };
      else Object.assign(note, { failure: entry.detail, resolution: undefined });
    }
    await showOnce(deps, key, channel, failedStepBlocks(snapshot.incidentId, { stepId: step.id, blocked, ...note }, mentions), note);
  }
}

/**
 * `slack.sync`: brings the incident's Slack channel up to date with one batch of timeline entries and the current
 * snapshot. Every write is keyed by what it means (status, step, thread batch, escalation), so a retry or a repeat
 * redoes nothing: posts happen once, edits only when the view changed.
 */
export async function syncIncident(deps: SyncDeps, request: SlackSyncRequest): Promise<SyncResult> {
  const { snapshot } = request;
  const channel = await ensureIncidentChannel(deps, snapshot);
  await inviteResponders(deps, snapshot, channel);
  const status = await showOnce(deps, `${snapshot.incidentId}/status`, channel, statusBlocks(snapshot, { mentions: (r) => deps.roles.mentions(r), temporalUrl: deps.temporalUrl(snapshot.incidentId) }, deps.now()));
  if (status.posted) await callSlackTolerating('pins.add', ['already_pinned'], () => deps.client.pins.add({ channel, timestamp: status.ts }));
  for (const approval of snapshot.approvals) await syncApproval(deps, snapshot, channel, approval);
  for (const input of snapshot.inputs) await syncInput(deps, snapshot, channel, input);
  await syncFailedSteps(deps, snapshot, channel, request.entries);
  const lines = request.entries.map(timelineLine).join('\n');
  const thread = lines ? await postOnce(deps, `${snapshot.incidentId}/thread/${request.from}`, channel, { text: clip(lines, 3900) }, status.ts) : undefined;
  for (const [offset, entry] of request.entries.entries()) {
    const step = entry.stepId ?? 'a step';
    if (ESCALATIONS.has(entry.event)) await escalate(deps, snapshot, channel, entry.detail ?? '', request.from + offset, `${step} in *${escapeMrkdwn(snapshot.title)}* has waited past its timeout.`);
    if (entry.event === STEP_ESCALATED) await escalate(deps, snapshot, channel, BLOCKED_STEP_ROLE, request.from + offset, `${step} in *${escapeMrkdwn(snapshot.title)}* failed and is blocked until someone chooses retry, continue or abort.`);
  }
  return { channel, statusTs: status.ts, threadTs: thread?.ts };
}
