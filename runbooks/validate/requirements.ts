import type { RunbookIssue } from '../issues';
import type { Path, StepWalk } from '../normalise';
import type { Requires } from '../schema/requires';
import { TemplateSyntaxError, templateVariables } from '../template';

/*
 * A runbook that declares `requires` must declare everything it reads that can be absent: every alert label a template
 * or an unguarded condition reads, every `{{config.*}}` value, and the config each action needs (an endpoint and its
 * secret, the containment adapter, the Kubernetes vendor). Runbooks without `requires` are not checked.
 */

/** The config an action needs, read from its authored inputs: the endpoint and secret of `http.request`, else its adapter. */
export function actionConfigNeeds(action: string, inputs: Record<string, unknown>): string[] {
  if (action === 'http.request') {
    const endpoint = typeof inputs.endpoint === 'string' ? inputs.endpoint : undefined;
    const secret = (inputs.secretHeader as { secret?: unknown } | undefined)?.secret;
    if (!endpoint) return [];
    return [`endpoints.${endpoint}`, ...(typeof secret === 'string' ? [`endpoints.${endpoint}.secrets.${secret}`] : [])];
  }
  const family = action.split('.')[0];
  if (family === 'identity' || family === 'network' || family === 'host' || family === 'cloud') return [`containment.${family}`];
  if (family === 'workload' || family === 'node') return ['vendors.kubernetes'];
  return [];
}

// `alert.labels.user` or `alert.labels["user"]`, as CEL and templates spell a label.
const LABEL_REFERENCE = /alert\.labels(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"']+)["']\s*\])/g;

/** Labels a condition reads, with whether it tests for them itself (`has(alert.labels.x)`). */
function conditionLabels(expression: string): { label: string; guarded: boolean }[] {
  return [...expression.matchAll(LABEL_REFERENCE)].map((match) => {
    const label = (match[1] ?? match[2])!;
    return { label, guarded: guards(expression, label) };
  });
}

const guards = (expression: string, label: string): boolean =>
  expression.includes(`has(alert.labels.${label})`) || new RegExp(`["']${label}["']\\s+in\\s+alert\\.labels`).test(expression);

const isPrefix = (prefix: Path, path: Path): boolean => prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);

/** Issues for every reference `requires` does not declare; paths only (the loader adds line and column). */
export function checkRequirements(walk: StepWalk, requires: Requires): RunbookIssue[] {
  const labels = new Set(requires.labels.map((l) => l.label));
  const config = new Set(requires.config);
  // A `when` that tests for a label guards the steps it runs (not its `otherwise`: that is where the label is absent).
  const guardedRegions = walk.conditions
    .filter(({ path }) => path[path.length - 1] === 'when')
    .map(({ expression, path }) => ({ expression, region: [...path.slice(0, -1), 'steps'] }));
  const guardedAt = (label: string, path: Path) => guardedRegions.some(({ expression, region }) => isPrefix(region, path) && guards(expression, label));

  const issues: RunbookIssue[] = [];
  const seen = new Set<string>();
  const undeclaredLabel = (label: string, path: Path) => {
    if (labels.has(label) || guardedAt(label, path) || seen.has(`label:${label}`)) return;
    seen.add(`label:${label}`);
    issues.push({
      code: 'requires.undeclared',
      message: `reads alert label "${label}", which requires.labels does not declare: declare it, or guard the step with when: has(alert.labels.${label})`,
      path,
    });
  };
  const undeclaredConfig = (key: string, path: Path) => {
    if (config.has(key) || seen.has(`config:${key}`)) return;
    seen.add(`config:${key}`);
    issues.push({ code: 'requires.undeclared', message: `uses config "${key}", which requires.config does not declare`, path });
  };

  for (const { text, path } of walk.templates) {
    let variables: string[][];
    try {
      variables = templateVariables(text);
    } catch (error) {
      if (error instanceof TemplateSyntaxError) continue; // reported as template.syntax by the reference check
      throw error;
    }
    for (const [root, first, ...rest] of variables) {
      if (root === 'alert' && first === 'labels' && rest[0] !== undefined) undeclaredLabel(rest[0], path);
      if (root === 'config' && first !== undefined && rest.length > 0) undeclaredConfig([first, ...rest].join('.'), path);
    }
  }
  for (const { expression, path } of walk.conditions) {
    for (const { label, guarded } of conditionLabels(expression)) if (!guarded) undeclaredLabel(label, path);
  }
  for (const { action, inputs, path } of walk.actions) {
    for (const key of actionConfigNeeds(action, inputs)) undeclaredConfig(key, path);
  }
  return issues;
}
