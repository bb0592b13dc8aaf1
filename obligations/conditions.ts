import type { Condition } from './schema';

/** Facts about the incident or the reporting entity, supplied by whoever computes deadlines. */
export type Facts = Readonly<Record<string, number | string | boolean | undefined>>;

/** `unknown` when a fact a condition needs was not supplied: callers decide the safe default. */
export type ConditionOutcome = 'holds' | 'fails' | 'unknown';

function compare(condition: Condition, actual: number | string | boolean): boolean {
  const { op, value } = condition;
  if (op === 'in') return Array.isArray(value) && value.includes(String(actual));
  if (op === 'eq') return actual === value;
  if (op === 'ne') return actual !== value;
  if (typeof actual !== 'number' || typeof value !== 'number') return false;
  switch (op) {
    case 'gt':
      return actual > value;
    case 'gte':
      return actual >= value;
    case 'lt':
      return actual < value;
    case 'lte':
      return actual <= value;
  }
}

/** Evaluates one condition; a missing fact gives `unknown`, a type mismatch gives `fails`. */
export function evaluateCondition(condition: Condition, facts: Facts): ConditionOutcome {
  const actual = facts[condition.fact];
  if (actual === undefined) return 'unknown';
  return compare(condition, actual) ? 'holds' : 'fails';
}

/** All must hold: `fails` if any fails, else `unknown` if any is unknown, else `holds`. */
export function evaluateAll(conditions: readonly Condition[], facts: Facts): ConditionOutcome {
  const outcomes = conditions.map((c) => evaluateCondition(c, facts));
  if (outcomes.includes('fails')) return 'fails';
  if (outcomes.includes('unknown')) return 'unknown';
  return 'holds';
}

/** `maxResidentsInOneState gt 500`, or the condition's own description when it has one. */
export function describeCondition(condition: Condition): string {
  if (condition.description) return condition.description;
  const value = Array.isArray(condition.value) ? `[${condition.value.join(', ')}]` : String(condition.value);
  return `${condition.fact} ${condition.op} ${value}`;
}
