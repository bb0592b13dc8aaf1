import type { ModalView } from '@slack/web-api';
import { ViewId } from '../../../slack/action-ids';
import type { Problem } from '../../incident-problem';
import { type ModalContext, encodeModalContext } from './metadata';

export const REASON_FIELD = 'reason';

/**
 * `resolve` is a choice about a blocked step (retry, continue or abort, in `context.choice`); `stop-clock` ends the
 * deadline clock in `context.clockId`.
 */
export type ReasonKind = 'approve' | 'reject' | 'abort' | 'resolve' | 'stop-clock';

const RESOLVE_WORDS = {
  retry: { title: 'Retry', submit: 'Retry' },
  continue: { title: 'Continue without', submit: 'Continue' },
  abort: { title: 'Abort at', submit: 'Abort incident' },
} as const;

function wording(kind: ReasonKind, context: ModalContext): { callbackId: string; title: string; submit: string; about: string } {
  const incident = `Incident \`${context.incidentId ?? ''}\``;
  switch (kind) {
    case 'approve':
      return { callbackId: ViewId.Decide, title: `Approve ${context.stepId}`, submit: 'Approve', about: incident };
    case 'reject':
      return { callbackId: ViewId.Decide, title: `Reject ${context.stepId}`, submit: 'Reject', about: incident };
    case 'abort':
      return { callbackId: ViewId.Abort, title: 'Abort incident', submit: 'Abort', about: incident };
    case 'resolve': {
      const words = RESOLVE_WORDS[context.choice ?? 'retry'];
      const consequence = context.choice === 'abort' ? ' (completed steps are compensated)' : context.choice === 'continue' ? ' (the step stays failed)' : '';
      return { callbackId: ViewId.Resolve, title: `${words.title} ${context.stepId}`, submit: words.submit, about: `${incident}, failed step \`${context.stepId}\`${consequence}` };
    }
    case 'stop-clock':
      return { callbackId: ViewId.StopClock, title: `Stop ${context.clockId}`, submit: 'Stop clock', about: `${incident}, deadline clock \`${context.clockId}\`: the duty ends without a notice` };
  }
}

/** The modal asking why: for every decision a person records with a reason (each lands in the audit log). */
export function reasonModal(kind: ReasonKind, context: ModalContext): ModalView {
  const words = wording(kind, context);
  return {
    type: 'modal',
    callback_id: words.callbackId,
    private_metadata: encodeModalContext(context),
    // Slack caps a modal's title at 24 characters and a button's at 24 too.
    title: { type: 'plain_text', text: words.title.slice(0, 24) },
    submit: { type: 'plain_text', text: words.submit.slice(0, 24) },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: words.about }] },
      {
        type: 'input',
        block_id: REASON_FIELD,
        label: { type: 'plain_text', text: 'Reason (recorded in the audit log)' },
        element: { type: 'plain_text_input', action_id: REASON_FIELD, multiline: true, min_length: 1, max_length: 3000 },
      },
    ],
  };
}

/**
 * Keeps the modal open with the incident client's refusal under the reason field (`request.invalid: reason: ...`):
 * Slack's `min_length` counts a reason of only spaces, and the reason is the modal's only field.
 */
export function reasonProblem(problem: Problem) {
  const detail = problem.issues?.map((i) => i.message).join('; ') ?? problem.message;
  return { response_action: 'errors', errors: { [REASON_FIELD]: `${problem.code}: ${detail}` } } as const;
}
