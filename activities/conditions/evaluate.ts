import { ApplicationFailure } from '@temporalio/activity';
import { ConditionEvaluationError, evaluateCondition } from '../../runbooks/cel';
import { FailureType } from '../../workflows/failure-types';
import type { ConditionRequest } from '../../workflows/runbook-interpreter/steps/when';

/** `conditions.evaluate`: a `when` step's CEL condition over the incident scope. A bad expression never retries. */
export async function evaluateConditionActivity(request: ConditionRequest): Promise<boolean> {
  try {
    return evaluateCondition(request.expression, request.scope);
  } catch (error) {
    if (error instanceof ConditionEvaluationError) {
      throw ApplicationFailure.create({ type: FailureType.ConditionInvalid, message: error.message, nonRetryable: true });
    }
    throw error;
  }
}
