import type { ModalView } from '@slack/web-api';
import { ViewId } from '../../../slack/action-ids';
import { type ModalContext, encodeModalContext } from './metadata';

export const REASON_FIELD = 'reason';

/** The modal asking why: for approve, reject and abort alike (each is recorded with its reason). */
export function reasonModal(kind: 'approve' | 'reject' | 'abort', context: ModalContext): ModalView {
  const title = kind === 'approve' ? `Approve ${context.stepId}` : kind === 'reject' ? `Reject ${context.stepId}` : 'Abort incident';
  return {
    type: 'modal',
    callback_id: kind === 'abort' ? ViewId.Abort : ViewId.Decide,
    private_metadata: encodeModalContext(context),
    title: { type: 'plain_text', text: title.slice(0, 24) },
    submit: { type: 'plain_text', text: kind === 'approve' ? 'Approve' : kind === 'reject' ? 'Reject' : 'Abort' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Incident \`${context.incidentId ?? ''}\`` }] },
      {
        type: 'input',
        block_id: REASON_FIELD,
        label: { type: 'plain_text', text: 'Reason (recorded in the audit log)' },
        element: { type: 'plain_text_input', action_id: REASON_FIELD, multiline: true, min_length: 1, max_length: 4000 },
      },
    ],
  };
}
