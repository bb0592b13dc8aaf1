import { CelScalar, celEnv, celList, celMap, isCelError, mapType, parse, plan, type CelInput } from '@bufbuild/cel';
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Runbook } from './schema/runbook';

/*
 * CEL conditions: `match` rules and `when` steps. Checked when a runbook loads; evaluated in an
 * activity (never in workflow code) so that upgrading the CEL library cannot change a replayed history.
 */

/** The variables a condition may read. `match` rules see only `alert` filled in. */
export const CONDITION_VARIABLES = ['alert', 'answers', 'steps', 'incident'] as const;
export type ConditionScope = Partial<Record<(typeof CONDITION_VARIABLES)[number], unknown>>;

export interface ConditionProblem {
  code: 'cel.syntax' | 'cel.type';
  message: string;
}

const dynamicMap = mapType(CelScalar.STRING, CelScalar.DYN);
const env = celEnv({
  variables: { alert: dynamicMap, answers: dynamicMap, steps: dynamicMap, incident: dynamicMap },
});

/**
 * Problems with a condition, empty when it is fine: `cel.syntax` when it does not parse; `cel.type`
 * when it reads a variable other than alert/answers/steps/incident, or can never be a bool.
 * The installed @bufbuild/cel exports no type checker, so the type check is structural: it refuses
 * conditions whose outermost operation can never yield a bool (a literal, arithmetic, a list).
 */
export function checkCondition(expression: string): ConditionProblem[] {
  let parsed: Expr;
  try {
    parsed = parse(expression).expr;
  } catch (error) {
    return [{ code: 'cel.syntax', message: (error as Error).message.replace(/^<input>:/, 'column ') }];
  }
  const problems: ConditionProblem[] = [];
  for (const name of freeVariables(parsed, new Set())) {
    if (!(CONDITION_VARIABLES as readonly string[]).includes(name)) {
      problems.push({ code: 'cel.type', message: `"${name}" is not a variable here; use ${CONDITION_VARIABLES.join(', ')}` });
    }
  }
  const resultProblem = checkResultType(parsed);
  if (resultProblem) problems.push({ code: 'cel.type', message: resultProblem });
  return problems;
}

function freeVariables(expr: Expr | undefined, bound: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const visit = (node: Expr | undefined, scope: ReadonlySet<string>): void => {
    if (!node) return;
    const kind = node.exprKind;
    switch (kind.case) {
      case 'identExpr':
        if (!scope.has(kind.value.name)) found.add(kind.value.name);
        return;
      case 'selectExpr':
        return visit(kind.value.operand, scope);
      case 'callExpr':
        visit(kind.value.target, scope);
        return kind.value.args.forEach((arg) => visit(arg, scope));
      case 'listExpr':
        return kind.value.elements.forEach((element) => visit(element, scope));
      case 'structExpr':
        return kind.value.entries.forEach((entry) => {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value, scope);
          visit(entry.value, scope);
        });
      case 'comprehensionExpr': {
        const c = kind.value;
        visit(c.iterRange, scope);
        visit(c.accuInit, scope);
        const inner = new Set([...scope, c.iterVar, c.iterVar2, c.accuVar].filter(Boolean));
        visit(c.loopCondition, inner);
        visit(c.loopStep, inner);
        visit(c.result, inner);
        return;
      }
      default:
        return;
    }
  };
  visit(expr, bound);
  return found;
}

function checkResultType(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'constExpr' && kind.value.constantKind.case !== 'boolValue') {
    return 'the condition is a constant that is not true or false';
  }
  if (kind.case === 'listExpr' || kind.case === 'structExpr') return 'the condition builds a list or map, not true or false';
  if (kind.case === 'callExpr' && /^_[-+*/%]_$|^-_$/.test(kind.value.function)) {
    return 'the condition is arithmetic, not true or false';
  }
  if (kind.case === 'callExpr' && kind.value.target === undefined && ['size', 'string', 'int', 'double'].includes(kind.value.function)) {
    return `${kind.value.function}() is not true or false`;
  }
  return undefined;
}

/** Thrown when a condition fails to evaluate (a missing key, a type mismatch) or yields something other than a bool. */
export class ConditionEvaluationError extends Error {
  constructor(
    readonly expression: string,
    message: string,
  ) {
    super(`condition ${JSON.stringify(expression)}: ${message}`);
    this.name = 'ConditionEvaluationError';
  }
}

/**
 * Evaluates a condition over plain JSON values. Absent variables are empty maps, so `has(answers.x)` works.
 * Throws ConditionEvaluationError on an evaluation error or a non-bool result: a runbook author
 * guards optional values with `has(...)` rather than relying on a silent false.
 */
export function evaluateCondition(expression: string, scope: ConditionScope): boolean {
  const outcome = evaluate(expression, celBindings(scope));
  if (typeof outcome === 'string') throw new ConditionEvaluationError(expression, outcome);
  return outcome;
}

type Bindings = Record<string, CelInput>;

function celBindings(scope: ConditionScope): Bindings {
  const bindings: Bindings = {};
  for (const name of CONDITION_VARIABLES) bindings[name] = toCel(scope[name] ?? {});
  return bindings;
}

// The result, or why there is none: no exception, so routing (where most `match` rules fail on an alert lacking their
// label) builds no error objects it would only discard.
function evaluate(expression: string, bindings: Bindings): boolean | string {
  let run: CompiledCondition;
  try {
    run = compile(expression);
  } catch (error) {
    return (error as Error).message;
  }
  const result = run(bindings as never);
  if (isCelError(result)) return result.message;
  if (typeof result !== 'boolean') return 'the result is not true or false';
  return result;
}

const planCondition = (expression: string) => plan(env, parse(expression));
type CompiledCondition = ReturnType<typeof planCondition>;

// Parsing and planning cost far more than evaluating, and the ingress evaluates the same few `match` and `when`
// texts for every alert. A plan holds no bindings, so one plan serves every call. Bounded because routing rules and
// runbooks are replaced while the process runs: the oldest entry goes first.
const COMPILED_MAX = 1_000;
const compiled = new Map<string, CompiledCondition>();

function compile(expression: string): CompiledCondition {
  const cached = compiled.get(expression);
  if (cached) return cached;
  // Not cached when it throws: conditions are checked when they load, so one that fails to compile does not recur on a hot path.
  const run = planCondition(expression);
  if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  compiled.set(expression, run);
  return run;
}

// JSON numbers are doubles in CEL, so `== 3` against an integral JSON number must still be true:
// whole numbers become CEL ints (bigint) and fractions stay doubles. Lists and maps become CEL's own (what the library
// would make of them at each evaluation), so one conversion serves every condition evaluated over the same values.
function toCel(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return celList(value.map(toCel));
  if (value !== null && typeof value === 'object') {
    return celMap(new Map(Object.entries(value).map(([key, item]) => [key, toCel(item)])));
  }
  return (value ?? null) as CelInput;
}

/**
 * The runbook an alert starts: among those whose `match` is true for it, the highest `priority`,
 * ties broken by id (alphabetical). A `match` that errors on this alert counts as not matching.
 */
export function matchRunbook<T extends Runbook | { runbook: Runbook }>(alert: unknown, runbooks: readonly T[]): T | undefined {
  return matchingRunbooks(alert, runbooks)[0];
}

/** Every runbook whose `match` is true for the alert, best first (the order matchRunbook picks by). */
export function matchingRunbooks<T extends Runbook | { runbook: Runbook }>(alert: unknown, runbooks: readonly T[]): T[] {
  const book = (candidate: T): Runbook => ('runbook' in candidate && typeof candidate.runbook === 'object' ? candidate.runbook : (candidate as Runbook));
  // The alert is converted once for all the runbooks; a `match` that fails to evaluate is false.
  const bindings = celBindings({ alert });
  // Most `match` rules fail on an alert that lacks their label, and each failure is an Error the library creates and
  // routing discards: without a stack trace to capture (synchronous, restored below) it costs a tenth.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let matching: T[];
  try {
    matching = runbooks.filter((candidate) => {
      const { match } = book(candidate);
      return match !== undefined && evaluate(match, bindings) === true;
    });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  matching.sort((a, b) => book(b).priority - book(a).priority || (book(a).id < book(b).id ? -1 : book(a).id > book(b).id ? 1 : 0));
  return matching;
}
