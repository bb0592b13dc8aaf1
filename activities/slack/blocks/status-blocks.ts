import type { KnownBlock } from '@slack/web-api';
import type { IncidentSnapshot } from '../../../workflows/incident/slack-snapshot';
import { ActionId, clockButtonValue } from '../../../slack/action-ids';
import { clip, escapeMrkdwn, shortTime } from './format';

export interface StatusContext {
  /** Slack mentions per organisation role. */
  mentions(role: string): string[];
  /** Link to this incident in the Temporal UI, when one is configured. */
  temporalUrl?: string;
}

const PHASE_ICON: Record<string, string> = { running: ':large_orange_circle:', completed: ':white_check_mark:', aborted: ':octagonal_sign:', failed: ':x:' };
const ACTIVE = new Set(['running', 'waiting', 'blocked']);

function ownersLine(snapshot: IncidentSnapshot, ctx: StatusContext): string {
  const lines = Object.entries(snapshot.roles).map(([role, orgRoles]) => {
    const who = orgRoles.flatMap((orgRole) => ctx.mentions(orgRole));
    return `• *${escapeMrkdwn(role)}*: ${who.length > 0 ? who.join(' ') : orgRoles.map(escapeMrkdwn).join(', ')}`;
  });
  return lines.join('\n');
}

function pendingLine(snapshot: IncidentSnapshot): string {
  const approvals = snapshot.approvals
    .filter((a) => a.outcome === 'pending')
    .map((a) => {
      const approved = a.decisions.filter((d) => d.decision === 'approve').length;
      return `• approval *${a.stepId}* (${escapeMrkdwn(a.role)}): ${approved}/${a.approversNeeded}${a.escalatedAt ? ' — escalated' : ''}`;
    });
  const inputs = snapshot.inputs.filter((i) => i.state === 'waiting').map((i) => `• input *${i.stepId}*: ${escapeMrkdwn(i.ask ?? '')}`);
  return [...approvals, ...inputs].join('\n');
}

/** Notice batches: how many of the list are out, so nobody has to open the worker's logs to know. */
function batchesLine(snapshot: IncidentSnapshot): string {
  return Object.entries(snapshot.batches ?? {})
    .map(([stepId, b]) => {
      const counts = `${b.sent + b.alreadySent + b.failed}/${b.total}: ${b.sent} sent, ${b.alreadySent} already sent, ${b.failed} failed`;
      return `• *${escapeMrkdwn(stepId)}* ${counts} — ${b.state === 'done' ? 'done' : `sending (as of ${shortTime(b.updatedAt)})`}`;
    })
    .join('\n');
}

interface ClockView {
  id?: string;
  name: string;
  due?: string;
  state: string;
  stoppedBy?: string;
  stopReason?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The earliest due time among a clock's running stages, for clocks that keep due times per stage. */
function nextStageDue(stages: unknown): string | undefined {
  if (!Array.isArray(stages)) return undefined;
  const due = stages.filter((stage: Record<string, unknown>) => stage.state === 'running').map((stage: Record<string, unknown>) => text(stage.dueAt)).filter((at): at is string => at !== undefined);
  return due.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

/** Clocks are read as the workflow reports them: a name, a due time and a state when it has them. */
function clockViews(clocks: unknown): ClockView[] {
  if (!Array.isArray(clocks)) return [];
  return clocks.map((clock: Record<string, unknown>) => ({
    id: text(clock.id),
    name: String(clock.name ?? clock.id ?? clock.obligation ?? 'clock'),
    due: text(clock.dueAt) ?? text(clock.deadline) ?? nextStageDue(clock.stages),
    state: text(clock.state) ?? text(clock.status) ?? '',
    stoppedBy: text(clock.stoppedBy),
    stopReason: text(clock.stopReason),
  }));
}

function clocksLine(clocks: ClockView[], now: Date): string {
  return clocks
    .map((clock) => {
      const left = clock.due && clock.state !== 'stopped' ? Math.round((Date.parse(clock.due) - now.getTime()) / 60_000) : undefined;
      const leftText = left === undefined || Number.isNaN(left) ? '' : left >= 0 ? ` — ${Math.floor(left / 60)}h${String(left % 60).padStart(2, '0')} left` : ` — overdue by ${Math.floor(-left / 60)}h${String(-left % 60).padStart(2, '0')}`;
      const stopped = clock.stoppedBy ? ` by ${escapeMrkdwn(clock.stoppedBy)}${clock.stopReason ? `: ${escapeMrkdwn(clock.stopReason)}` : ''}` : '';
      return `• *${escapeMrkdwn(clock.name)}*${clock.due && clock.state !== 'stopped' ? ` due ${shortTime(clock.due)}` : ''}${leftText}${clock.state ? ` (${escapeMrkdwn(clock.state)}${stopped})` : ''}`;
    })
    .join('\n');
}

/**
 * A "Stop clock…" button per running clock, while the incident runs; the click opens the reason modal. One actions
 * block each: Slack wants an action id unique within its block, and the listener is found by the action id.
 */
function stopClockButtons(incidentId: string, clocks: ClockView[]): KnownBlock[] {
  return clocks
    .filter((clock): clock is ClockView & { id: string } => clock.state === 'running' && clock.id !== undefined)
    .map((clock) => ({
      type: 'actions',
      block_id: `clock:${clock.id}`,
      elements: [{ type: 'button', action_id: ActionId.StopClock, text: { type: 'plain_text', text: clip(`Stop ${clock.id}…`, 75) }, value: clockButtonValue({ incidentId, clockId: clock.id }) }],
    }));
}

/**
 * The pinned live status message. Rendered from the snapshot alone, so the same state always renders the same
 * blocks (except time left on clocks, which is why `now` is an argument).
 */
export function statusBlocks(snapshot: IncidentSnapshot, ctx: StatusContext, now: Date): { text: string; blocks: KnownBlock[] } {
  const started = new Set(snapshot.steps.map((s) => s.id));
  const current = snapshot.steps.filter((s) => ACTIVE.has(s.state)).map((s) => `• *${s.id}* (${s.kind}) — ${s.state}`);
  const next = snapshot.phase === 'running' ? snapshot.plan.filter((s) => !started.has(s.id)).slice(0, 3).map((s) => `• ${s.id} (${s.kind})`) : [];
  const sections: [string, string][] = [
    ['Now', current.join('\n')],
    ['Next', next.join('\n')],
    ['Owners', ownersLine(snapshot, ctx)],
    ['Waiting for a decision', pendingLine(snapshot)],
    ['Notices', batchesLine(snapshot)],
  ];
  const clocks = clockViews(snapshot.clocks);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${snapshot.title}`, 150) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${snapshot.severity}` },
        { type: 'mrkdwn', text: `*Phase*\n${PHASE_ICON[snapshot.phase] ?? ''} ${snapshot.phase}` },
        { type: 'mrkdwn', text: `*Runbook*\n${snapshot.runbook.id} v${snapshot.runbook.version}` },
        { type: 'mrkdwn', text: `*Opened*\n${escapeMrkdwn(snapshot.openedBy)}, ${shortTime(snapshot.openedAt)}` },
      ],
    },
  ];
  for (const [title, body] of sections) if (body) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}*\n${body}`) } });
  if (clocks.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Clocks*\n${clocksLine(clocks, now)}`) } });
  if (snapshot.phase === 'running') blocks.push(...stopClockButtons(snapshot.incidentId, clocks));
  if (snapshot.abort) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Aborted* by ${escapeMrkdwn(snapshot.abort.by)}: ${escapeMrkdwn(snapshot.abort.reason)}`) } });
  const footer = [`\`${snapshot.incidentId}\``, ctx.temporalUrl ? `<${ctx.temporalUrl}|Temporal UI>` : undefined, snapshot.closedAt ? `closed ${shortTime(snapshot.closedAt)}` : undefined];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer.filter(Boolean).join(' · ') }] });
  return { text: `${snapshot.severity} incident: ${snapshot.title} (${snapshot.phase})`, blocks };
}
