import { z } from 'zod';
import { actionRegistry, isActionName } from './actions';
import { DISCLOSURE_STEP_DEFAULTS } from './actions/define';
import { defaultActionTimeout } from './actions/timing';
import type { RunbookIssue } from './issues';
import { authoringStepSchemas, STEP_KIND_KEYS, type StepKindKey } from './schema/authoring';

/*
 * Authoring form → normalised step tree, one step at a time so that every problem gets its own
 * path. References that need the whole runbook (roles, clocks, templates, conditions, child
 * runbooks) are collected here and resolved afterwards by validate/references.ts.
 */

export type Path = (string | number)[];

/** Everything one walk over a runbook's steps learns. Issues carry paths only; the loader adds line and column. */
export interface StepWalk {
  issues: RunbookIssue[];
  stepIds: Map<string, Path>;
  inputIds: Set<string>;
  templates: { text: string; path: Path }[];
  conditions: { expression: string; path: Path }[];
  roles: { role: string; path: Path }[];
  clocks: { clock: string; path: Path }[];
  children: { runbook: string; path: Path }[];
  /** Every action and undo with its inputs as authored (before rendering): what config it needs is read from these. */
  actions: { action: string; inputs: Record<string, unknown>; path: Path }[];
}

export function newStepWalk(): StepWalk {
  return { issues: [], stepIds: new Map(), inputIds: new Set(), templates: [], conditions: [], roles: [], clocks: [], children: [], actions: [] };
}

// Children are `unknown` here: they are walked one by one so each keeps its own path.
const shallow = authoringStepSchemas(z.unknown());

type Shallow = { [K in StepKindKey]: z.infer<(typeof shallow)[K]> };
type Normalised = Record<string, unknown> & { kind: string; id: string };

/** Converts a list of authored steps; invalid steps are left out and reported in `walk.issues`. */
export function normaliseSteps(raw: readonly unknown[], path: Path, walk: StepWalk): Normalised[] {
  return raw.flatMap((step, index) => normaliseStep(step, [...path, index], walk) ?? []);
}

function normaliseStep(raw: unknown, path: Path, walk: StepWalk): Normalised | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    walk.issues.push({ code: 'schema.invalid', message: 'a step is a map with an id and what it does', path });
    return undefined;
  }
  const fields = raw as Record<string, unknown>;
  recordId(fields.id, path, walk);
  const kinds = STEP_KIND_KEYS.filter((key) => key in fields);
  if (kinds.length > 1) {
    walk.issues.push({ code: 'step.ambiguous_kind', message: `a step does one thing, but this one has ${kinds.join(' and ')}`, path });
    return undefined;
  }
  const kind: StepKindKey | undefined = kinds[0] ?? ('steps' in fields ? 'steps' : undefined);
  if (!kind) {
    const keys = Object.keys(fields).filter((key) => key !== 'id');
    walk.issues.push({
      code: 'step.unknown_kind',
      message: `${keys.length > 0 ? `"${keys.join('", "')}" is` : 'nothing here is'} not a step kind; use one of ${STEP_KIND_KEYS.join(', ')} or steps`,
      path,
    });
    return undefined;
  }
  const parsed = shallow[kind].safeParse(fields);
  if (!parsed.success) pushZodIssues(parsed.error, path, walk);
  const children = normaliseChildren(kind, fields, path, walk);
  if (!parsed.success) return undefined;
  return buildStep(kind, parsed.data as Shallow[typeof kind], children, path, walk);
}

function recordId(id: unknown, path: Path, walk: StepWalk): void {
  if (typeof id !== 'string') return;
  const first = walk.stepIds.get(id);
  if (first) {
    walk.issues.push({ code: 'step.duplicate_id', message: `step id "${id}" is already used at ${first.join('.')}`, path: [...path, 'id'] });
  } else {
    walk.stepIds.set(id, path);
  }
}

interface Children {
  steps: Normalised[];
  otherwise: Normalised[];
  branches: Normalised[][];
}

function normaliseChildren(kind: StepKindKey, fields: Record<string, unknown>, path: Path, walk: StepWalk): Children {
  const list = (key: string) => (Array.isArray(fields[key]) ? normaliseSteps(fields[key] as unknown[], [...path, key], walk) : []);
  const children: Children = { steps: list('steps'), otherwise: list('otherwise'), branches: [] };
  const parallel = fields.parallel as { branches?: unknown } | undefined;
  if (kind === 'parallel' && parallel && Array.isArray(parallel.branches)) {
    children.branches = parallel.branches.map((branch, index) => {
      const branchPath = [...path, 'parallel', 'branches', index];
      if (Array.isArray(branch)) return normaliseSteps(branch, branchPath, walk);
      const step = normaliseStep(branch, branchPath, walk);
      return step ? [step] : [];
    });
  }
  return children;
}

const oneOrMany = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Collects each id of a one-or-many field with the path a responder would look at. */
function collectIds(value: string | string[] | undefined, path: Path, into: { push(ref: { clock: string; path: Path }): void }): void {
  if (Array.isArray(value)) value.forEach((clock, index) => into.push({ clock, path: [...path, index] }));
  else if (value !== undefined) into.push({ clock: value, path });
}

function buildStep(kind: StepKindKey, step: Shallow[StepKindKey], children: Children, path: Path, walk: StepWalk): Normalised {
  switch (kind) {
    case 'action':
      return buildAction(step as Shallow['action'], path, walk);
    case 'approval': {
      const { id, title, approval } = step as Shallow['approval'];
      walk.roles.push({ role: approval.role, path: [...path, 'approval', 'role'] });
      if (approval.escalate) walk.roles.push({ role: approval.escalate, path: [...path, 'approval', 'escalate'] });
      if (approval.draft) walk.templates.push({ text: approval.draft, path: [...path, 'approval', 'draft'] });
      return { kind, id, title, ...approval };
    }
    case 'input': {
      const { id, input } = step as Shallow['input'];
      walk.inputIds.add(id);
      walk.roles.push({ role: input.role, path: [...path, 'input', 'role'] });
      if (input.escalate) walk.roles.push({ role: input.escalate, path: [...path, 'input', 'escalate'] });
      walk.templates.push({ text: input.ask, path: [...path, 'input', 'ask'] });
      return { kind, id, ...input };
    }
    case 'wait': {
      const { id, wait } = step as Shallow['wait'];
      return { kind, id, duration: wait };
    }
    case 'clock': {
      const { id, clock } = step as Shallow['clock'];
      collectIds(clock.start, [...path, 'clock', 'start'], walk.clocks);
      collectIds(clock.stop, [...path, 'clock', 'stop'], walk.clocks);
      if (clock.at) walk.templates.push({ text: clock.at, path: [...path, 'clock', 'at'] });
      return { kind, id, start: oneOrMany(clock.start), stop: oneOrMany(clock.stop), at: clock.at, reason: clock.reason, anchors: clock.anchors, facts: clock.facts, remind: clock.remind, escalate: clock.escalate };
    }
    case 'runbook': {
      const { id, runbook } = step as Shallow['runbook'];
      walk.children.push({ runbook, path: [...path, 'runbook'] });
      return { kind, id, runbook };
    }
    case 'parallel': {
      const { id, parallel } = step as Shallow['parallel'];
      return { kind, id, mode: parallel.mode ?? 'all', branches: children.branches };
    }
    case 'when': {
      const { id, when } = step as Shallow['when'];
      walk.conditions.push({ expression: when, path: [...path, 'when'] });
      return { kind, id, condition: when, steps: children.steps, otherwise: children.otherwise };
    }
    case 'steps':
      return { kind: 'sequence', id: (step as Shallow['steps']).id, steps: children.steps };
  }
}

function buildAction(step: Shallow['action'], path: Path, walk: StepWalk): Normalised {
  const authoredWith = step.with ?? {};
  const inputs = checkInputs(step.action, authoredWith, [...path, 'action'], [...path, 'with'], walk);
  collectTemplates(inputs, [...path, 'with'], walk);
  walk.actions.push({ action: step.action, inputs, path: [...path, 'action'] });
  collectIds(step.stops, [...path, 'stops'], walk.clocks);
  const authoredRetry = typeof step.retry === 'number' ? { maximumAttempts: step.retry } : step.retry;
  const disclosure = isActionName(step.action) && actionRegistry[step.action].disclosure;
  const retry = disclosure ? { ...DISCLOSURE_STEP_DEFAULTS.retry, ...authoredRetry } : authoredRetry;
  return {
    kind: 'action',
    id: step.id,
    title: step.title,
    action: step.action,
    with: inputs,
    timeout: step.timeout ?? defaultActionTimeout(step.action),
    retry,
    onFailure: step.onFailure ?? (disclosure ? DISCLOSURE_STEP_DEFAULTS.onFailure : undefined),
    compensate: buildCompensation(step, authoredWith, path, walk),
    stops: oneOrMany(step.stops),
  };
}

/** Validates `with` against the action's schema and returns the parsed (normalised) inputs, or the authored ones if invalid. */
function checkInputs(action: string, inputs: Record<string, unknown>, namePath: Path, withPath: Path, walk: StepWalk): Record<string, unknown> {
  if (!isActionName(action)) {
    walk.issues.push({ code: 'step.unknown_action', message: `"${action}" is not a known action`, path: namePath });
    return inputs;
  }
  const parsed = actionRegistry[action].input.safeParse(inputs);
  if (parsed.success) return parsed.data;
  pushZodIssues(parsed.error, withPath, walk, 'step.invalid_input');
  return inputs;
}

function buildCompensation(step: Shallow['action'], authoredWith: Record<string, unknown>, path: Path, walk: StepWalk) {
  const { compensate } = step;
  if (compensate === undefined) return undefined;
  const at = [...path, 'compensate'];
  if (typeof compensate === 'object') {
    const inputs = checkInputs(compensate.action, compensate.with ?? {}, [...at, 'action'], [...at, 'with'], walk);
    collectTemplates(inputs, [...at, 'with'], walk);
    walk.actions.push({ action: compensate.action, inputs, path: [...at, 'action'] });
    return { action: compensate.action, with: inputs };
  }
  let undo = compensate === true ? undefined : compensate;
  if (compensate === true) {
    undo = isActionName(step.action) ? actionRegistry[step.action].undo : undefined;
    if (!undo) {
      if (isActionName(step.action)) walk.issues.push({ code: 'step.no_undo', message: `${step.action} has no registered undo; name the action that undoes it`, path: at });
      return undefined;
    }
  }
  if (!undo || !isActionName(undo)) {
    walk.issues.push({ code: 'step.unknown_action', message: `"${String(undo)}" is not a known action`, path: at });
    return undefined;
  }
  // The undo takes the same inputs as far as it knows them (user, ip, host...).
  const known = Object.keys(actionRegistry[undo].input.shape);
  const derived = Object.fromEntries(Object.entries(authoredWith).filter(([key]) => known.includes(key)));
  const inputs = checkInputs(undo, derived, at, at, walk);
  collectTemplates(inputs, [...path, 'with'], walk);
  return { action: undo, with: inputs };
}

function collectTemplates(value: unknown, path: Path, walk: StepWalk): void {
  if (typeof value === 'string') {
    if (value.includes('{{')) walk.templates.push({ text: value, path });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => collectTemplates(item, [...path, index], walk));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) collectTemplates(item, [...path, key], walk);
  }
}

/** Zod issues → runbook issues; an unknown key becomes one issue located at that key. */
export function pushZodIssues(error: z.ZodError, base: Path, walk: { issues: RunbookIssue[] }, code: RunbookIssue['code'] = 'schema.invalid'): void {
  for (const issue of error.issues) {
    const path = [...base, ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) walk.issues.push({ code, message: `"${key}" is not a field here`, path: [...path, key] });
    } else {
      walk.issues.push({ code, message: issue.message, path });
    }
  }
}
