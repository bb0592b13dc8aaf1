/*
 * The ids that tie Slack messages and modals (posted by activities) to the listeners that handle clicks and
 * submissions (ingress). Stable: messages already in channels carry them.
 */
export const ActionId = {
  Approve: 'firebreak.approval.approve',
  Reject: 'firebreak.approval.reject',
  Answer: 'firebreak.input.answer',
  /** A blocked step (an action that failed under `onFailure: escalate`): what to do about it. */
  Retry: 'firebreak.step.retry',
  Continue: 'firebreak.step.continue',
  AbortIncident: 'firebreak.step.abort',
  StopClock: 'firebreak.clock.stop',
} as const;

export const ViewId = {
  Declare: 'firebreak.declare',
  Decide: 'firebreak.decide',
  Answer: 'firebreak.answer',
  Abort: 'firebreak.abort',
  Resolve: 'firebreak.resolve',
  StopClock: 'firebreak.stop-clock',
} as const;

/** What a step button carries: which incident and step. The clicker's identity always comes from the verified payload. */
export interface StepButtonValue {
  incidentId: string;
  stepId: string;
  /** Approval steps with a draft: the hash of the draft shown beside the button, which the approval must name. */
  draftSha256?: string;
  /** Input steps: the question, so the modal opens without a round trip to Temporal (trigger ids last 3 s). */
  input?: { type: string; ask?: string; choices?: string[] };
}

const BUTTON_VALUE_LIMIT = 2000;

/** Encodes a button value within Slack's 2000 characters, dropping the question text first, then the choices. */
export function stepButtonValue(value: StepButtonValue): string {
  const full = JSON.stringify(value);
  if (full.length <= BUTTON_VALUE_LIMIT || !value.input) return full;
  const withoutAsk = JSON.stringify({ ...value, input: { ...value.input, ask: undefined } });
  return withoutAsk.length <= BUTTON_VALUE_LIMIT ? withoutAsk : JSON.stringify({ ...value, input: { type: value.input.type } });
}

/** Parses a button value; undefined when it is not one of ours. */
export function parseStepButtonValue(text: string | undefined): StepButtonValue | undefined {
  try {
    const parsed = JSON.parse(text ?? '') as Partial<StepButtonValue>;
    if (typeof parsed.incidentId !== 'string' || typeof parsed.stepId !== 'string') return undefined;
    const input = parsed.input && typeof parsed.input.type === 'string' ? parsed.input : undefined;
    const draftSha256 = typeof parsed.draftSha256 === 'string' ? parsed.draftSha256 : undefined;
    return { incidentId: parsed.incidentId, stepId: parsed.stepId, ...(draftSha256 && { draftSha256 }), ...(input && { input }) };
  } catch {
    return undefined;
  }
}

/** What a Stop clock button carries: which incident and which of its deadline clocks. */
export interface ClockButtonValue {
  incidentId: string;
  clockId: string;
}

export const clockButtonValue = (value: ClockButtonValue): string => JSON.stringify(value);

/** Parses a Stop clock button value; undefined when it is not one of ours. */
export function parseClockButtonValue(text: string | undefined): ClockButtonValue | undefined {
  try {
    const parsed = JSON.parse(text ?? '') as Partial<ClockButtonValue>;
    return typeof parsed.incidentId === 'string' && typeof parsed.clockId === 'string' ? { incidentId: parsed.incidentId, clockId: parsed.clockId } : undefined;
  } catch {
    return undefined;
  }
}
