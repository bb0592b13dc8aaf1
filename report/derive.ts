import { z } from 'zod';
import type { AuditRecord } from '../audit';
import type { IncidentReport, ReportClock, ReportDecision, ReportNotice, ReportStep } from './model';

const text = (record: AuditRecord, field: string): string | undefined => {
  const value = record.data[field];
  return typeof value === 'string' ? value : undefined;
};
/** When it happened: the time the event carries (a person's stated time), else when it was recorded. */
const when = (record: AuditRecord): string => text(record, 'at') ?? record.at;

const CLOSE = /^incident\.(completed|aborted|failed)$/;

/** Steps in the order they started, each with its final outcome. */
export function stepsFrom(records: readonly AuditRecord[]): ReportStep[] {
  const steps = new Map<string, ReportStep>();
  for (const record of records) {
    if (!record.subject || !record.action.startsWith('step.')) continue;
    const step = steps.get(record.subject) ?? { id: record.subject };
    if (record.action === 'step.started') {
      step.startedAt ??= when(record);
      step.kind ??= text(record, 'detail');
    } else if (!['step.retried', 'step.escalated'].includes(record.action)) {
      step.outcome = record.action.slice('step.'.length);
      step.endedAt = when(record);
    }
    steps.set(record.subject, step);
  }
  return [...steps.values()];
}

export function decisionsFrom(records: readonly AuditRecord[]): { decisions: ReportDecision[]; answers: ReportDecision[] } {
  const decisions: ReportDecision[] = [];
  const answers: ReportDecision[] = [];
  for (const record of records) {
    const base = { stepId: record.subject, by: record.actor.id, at: when(record) };
    if (record.action === 'approval.approve' || record.action === 'approval.reject') decisions.push({ ...base, decision: record.action.slice(9), reason: text(record, 'detail') });
    else if (record.action === 'decision.refused') decisions.push({ ...base, decision: `refused ${text(record, 'decision') ?? ''}`.trim(), reason: text(record, 'refusal') });
    else if (record.action === 'incident.abort_requested') decisions.push({ ...base, decision: 'abort', reason: text(record, 'detail') });
    else if (record.action === 'input.answered') answers.push({ ...base, decision: 'answer', reason: text(record, 'detail') });
  }
  return { decisions, answers };
}

export function noticesFrom(records: readonly AuditRecord[]): ReportNotice[] {
  return records
    .filter((r) => r.action === 'notice.sent')
    .map((r) => ({
      stepId: r.subject,
      channel: text(r, 'channel') ?? 'email',
      to: Array.isArray(r.data.to) ? r.data.to.filter((t): t is string => typeof t === 'string') : [],
      messageId: text(r, 'messageId'),
      textSha256: text(r, 'textSha256'),
      at: r.at,
    }));
}

// The shape of `status.clocks` as the deadline-clock work defines it; read loosely, since older incidents lack it.
const StatusClocks = z.array(
  z.object({
    id: z.string(),
    startedAt: z.string().optional(),
    stages: z
      .array(z.object({ stageId: z.string(), title: z.string().optional(), dueAt: z.string().optional(), state: z.string(), submittedAt: z.string().optional(), lateByMs: z.number().optional() }))
      .default([]),
  }),
);

/** Clock stages from the live status when it has them, else every clock event from the audit log. */
export function clocksFrom(status: unknown, records: readonly AuditRecord[]): ReportClock[] {
  const fromStatus = StatusClocks.safeParse((status as { clocks?: unknown } | undefined)?.clocks);
  if (fromStatus.success && fromStatus.data.length > 0) {
    return fromStatus.data.flatMap((clock) =>
      clock.stages.map((stage) => ({ clock: clock.id, stage: stage.stageId, dueAt: stage.dueAt, state: stage.state, startedAt: clock.startedAt, metAt: stage.submittedAt, lateByMs: stage.lateByMs })),
    );
  }
  return records
    .filter((r) => r.action.startsWith('clock.'))
    .map((r) => {
      const detail = text(r, 'detail') ?? '';
      return { clock: /^[^\s:/]+/.exec(detail)?.[0] ?? '?', state: r.action.slice('clock.'.length), startedAt: r.action === 'clock.started' ? when(r) : undefined, metAt: r.action === 'clock.stopped' ? when(r) : undefined, detail };
    });
}

const StatusSummary = z.object({
  title: z.string().optional(),
  severity: z.string().optional(),
  phase: z.string().optional(),
  openedAt: z.string().optional(),
  openedBy: z.string().optional(),
  closedAt: z.string().optional(),
  runbook: z.object({ id: z.string(), version: z.number() }).optional(),
  alerts: z.object({ count: z.number() }).optional(),
});

export function summaryFrom(status: unknown, records: readonly AuditRecord[]): IncidentReport['summary'] {
  const opened = records.find((r) => r.action === 'incident.opened');
  const closed = [...records].reverse().find((r) => CLOSE.test(r.action));
  const fromAudit: IncidentReport['summary'] = {
    severity: opened ? text(opened, 'severity') : undefined,
    runbook: opened ? text(opened, 'detail')?.replace(/^runbook /, '') : undefined,
    openedAt: opened ? when(opened) : undefined,
    openedBy: opened?.actor.id,
    closedAt: closed ? when(closed) : undefined,
    outcome: closed ? closed.action.slice('incident.'.length) : 'running',
    source: 'audit',
  };
  const parsed = StatusSummary.safeParse(status);
  if (status === undefined || !parsed.success) return fromAudit;
  const s = parsed.data;
  return {
    ...fromAudit,
    title: s.title,
    severity: s.severity,
    runbook: s.runbook ? `${s.runbook.id} v${s.runbook.version}` : fromAudit.runbook,
    openedAt: s.openedAt ?? fromAudit.openedAt,
    closedAt: s.closedAt ?? fromAudit.closedAt,
    outcome: s.phase ?? fromAudit.outcome,
    alerts: s.alerts?.count,
    source: 'temporal',
  };
}
