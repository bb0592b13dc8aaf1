import type { KnownBlock } from '@slack/web-api';
import type { IncidentSnapshot } from '../../../workflows/incident/slack-snapshot';
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

/** Clocks are shown as the workflow reports them: a name, a due time and a state when it has them. */
function clocksLine(clocks: unknown, now: Date): string {
  if (!Array.isArray(clocks)) return '';
  return clocks
    .map((clock: Record<string, unknown>) => {
      const name = String(clock.name ?? clock.id ?? clock.obligation ?? 'clock');
      const due = typeof clock.dueAt === 'string' ? clock.dueAt : typeof clock.deadline === 'string' ? clock.deadline : undefined;
      const state = typeof clock.state === 'string' ? clock.state : typeof clock.status === 'string' ? clock.status : '';
      const left = due ? Math.round((Date.parse(due) - now.getTime()) / 60_000) : undefined;
      const leftText = left === undefined || Number.isNaN(left) ? '' : left >= 0 ? ` — ${Math.floor(left / 60)}h${String(left % 60).padStart(2, '0')} left` : ` — overdue by ${Math.floor(-left / 60)}h${String(-left % 60).padStart(2, '0')}`;
      return `• *${escapeMrkdwn(name)}*${due ? ` due ${shortTime(due)}` : ''}${leftText}${state ? ` (${escapeMrkdwn(state)})` : ''}`;
    })
    .join('\n');
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
    ['Clocks', clocksLine(snapshot.clocks, now)],
  ];
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
  if (snapshot.abort) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Aborted* by ${escapeMrkdwn(snapshot.abort.by)}: ${escapeMrkdwn(snapshot.abort.reason)}`) } });
  const footer = [`\`${snapshot.incidentId}\``, ctx.temporalUrl ? `<${ctx.temporalUrl}|Temporal UI>` : undefined, snapshot.closedAt ? `closed ${shortTime(snapshot.closedAt)}` : undefined];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: footer.filter(Boolean).join(' · ') }] });
  return { text: `${snapshot.severity} incident: ${snapshot.title} (${snapshot.phase})`, blocks };
}
