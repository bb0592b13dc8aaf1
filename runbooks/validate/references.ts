import { checkCondition } from '../cel';
import type { RunbookIssue } from '../issues';
import type { StepWalk } from '../normalise';
import { Alert } from '../schema/alert';
import { TEMPLATE_ROOTS, TemplateSyntaxError, templateVariables } from '../template';

/** Decides which deadline-clock ids a runbook may start or stop. */
export type ClockIdCheck = (clock: string) => boolean;

/** Without a catalogue, any kebab-case id is accepted: the clocks issue supplies the real list. */
export const anyKebabCaseClock: ClockIdCheck = (clock) => /^[a-z0-9-]+$/.test(clock);

export interface ReferenceContext {
  roles: ReadonlySet<string>;
  isKnownClock: ClockIdCheck;
  match?: string;
}

const ALERT_FIELDS = new Set(Object.keys(Alert.shape));

/**
 * Resolves what the step walk collected against the whole runbook: roles, clocks, template
 * variables and CEL conditions (including the runbook's `match`). Returns issues with paths only.
 */
export function checkReferences(walk: StepWalk, context: ReferenceContext): RunbookIssue[] {
  const issues: RunbookIssue[] = [];
  for (const { role, path } of walk.roles) {
    if (!context.roles.has(role)) {
      issues.push({ code: 'step.unknown_role', message: `role "${role}" is not declared under roles`, path });
    }
  }
  for (const { clock, path } of walk.clocks) {
    if (!context.isKnownClock(clock)) issues.push({ code: 'step.unknown_clock', message: `"${clock}" is not a known deadline clock`, path });
  }
  for (const { text, path } of walk.templates) issues.push(...checkTemplate(text, path, walk));
  const conditions = context.match === undefined ? walk.conditions : [{ expression: context.match, path: ['match'] }, ...walk.conditions];
  for (const { expression, path } of conditions) {
    for (const problem of checkCondition(expression)) issues.push({ ...problem, path });
  }
  return issues;
}

function checkTemplate(text: string, path: (string | number)[], walk: StepWalk): RunbookIssue[] {
  let variables: string[][];
  try {
    variables = templateVariables(text);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    return [{ code: 'template.syntax', message: error.message, path }];
  }
  return variables.flatMap((variable) => {
    const problem = unknownVariable(variable, walk);
    return problem ? [{ code: 'template.unknown_var' as const, message: problem, path }] : [];
  });
}

function unknownVariable([root, first]: string[], walk: StepWalk): string | undefined {
  if (!(TEMPLATE_ROOTS as readonly (string | undefined)[]).includes(root)) {
    return `"${root}" is not something a template can read; use ${TEMPLATE_ROOTS.join(', ')}`;
  }
  if (first === undefined) return undefined;
  if (root === 'alert' && !ALERT_FIELDS.has(first)) return `alerts have no field "${first}"`;
  if (root === 'answers' && !walk.inputIds.has(first)) return `"${first}" is not the id of an input step in this runbook`;
  if (root === 'steps' && !walk.stepIds.has(first)) return `"${first}" is not a step in this runbook`;
  return undefined;
}
