import { DateTime } from 'luxon';
import { computeStages, parseInstant, type ComputeOptions, type StageDeadline, type Trigger } from './deadlines';
import type { Obligation } from './schema';

export interface ExplainOptions extends ComputeOptions {
  /** Zone for the local column; defaults to the obligation's zone. */
  zone?: string;
}

function dueLine(deadline: StageDeadline, zone: string): string {
  if (deadline.kind === 'not-applicable') return '    not applicable';
  if (deadline.kind === 'pending') return '    pending: cannot be computed yet';
  const at = DateTime.fromISO(deadline.dueAt, { zone: 'utc' });
  const label = deadline.kind === 'open' ? 'target' : 'due';
  const utc = at.toISO({ suppressMilliseconds: true });
  const local = `${at.setZone(zone).toFormat('yyyy-LL-dd HH:mm:ss ZZZZ')} ${zone}`;
  const flags = [
    deadline.kind === 'open' ? 'open duty, internal target only' : undefined,
    deadline.projected ? 'projected until the earlier stage is submitted' : undefined,
    deadline.kind === 'deadline' && deadline.strictDueAt ? `strict deadline ${DateTime.fromISO(deadline.strictDueAt, { zone: 'utc' }).toISO({ suppressMilliseconds: true })}` : undefined,
  ].filter((f) => f !== undefined);
  return `    ${label} ${utc}  (${local})${flags.length > 0 ? `\n    note ${flags.join('; ')}` : ''}`;
}

/** Renders computed stages as the `firebreak deadlines explain` text: header, then each stage with its reasoning. */
export function renderExplanation(obligation: Obligation, trigger: Trigger, deadlines: readonly StageDeadline[], zone: string = obligation.zone): string {
  const triggerAt = parseInstant(trigger.at);
  const lines = [
    `${obligation.id}: ${obligation.title}`,
    `  recipient: ${obligation.recipient} (${obligation.jurisdiction})`,
    `  trigger:   ${obligation.trigger} at ${triggerAt.toUTC().toISO({ suppressMilliseconds: true })} (${triggerAt.setZone(zone).toFormat('yyyy-LL-dd HH:mm')} ${zone})`,
    `  source:    ${obligation.source} [status ${obligation.status}${obligation.enabled ? '' : ', disabled'}]`,
  ];
  for (const [anchor, at] of Object.entries(trigger.anchors ?? {})) {
    if (at !== undefined) lines.push(`  ${anchor}: ${parseInstant(at).toUTC().toISO({ suppressMilliseconds: true })}`);
  }
  deadlines.forEach((deadline, index) => {
    lines.push('', `  ${index + 1}. ${deadline.stageId}: ${deadline.title}`, dueLine(deadline, zone));
    for (const reason of deadline.reasoning) lines.push(`      - ${reason}`);
  });
  if (obligation.notes) lines.push('', `  notes: ${obligation.notes}`);
  return `${lines.join('\n')}\n`;
}

/** Computes and renders in one call. Throws what `computeStages` throws. */
export function explainObligation(obligation: Obligation, trigger: Trigger, opts: ExplainOptions): string {
  return renderExplanation(obligation, trigger, computeStages(obligation, trigger, opts), opts.zone ?? obligation.zone);
}
