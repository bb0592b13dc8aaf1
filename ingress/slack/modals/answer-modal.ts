import type { KnownBlock, ModalView } from '@slack/web-api';
import { ViewId } from '../../../slack/action-ids';
import { type ModalContext, encodeModalContext } from './metadata';

export const ANSWER_FIELD = 'answer';

const option = (value: string, text = value) => ({ value, text: { type: 'plain_text' as const, text: text.slice(0, 75) } });

/** The input element for a question type: what Slack offers closest to the type the workflow validates. */
function answerElement(type: string, choices: readonly string[]): KnownBlock {
  const label = { type: 'plain_text' as const, text: 'Answer' };
  switch (type) {
    case 'boolean':
      return { type: 'input', block_id: ANSWER_FIELD, label, element: { type: 'radio_buttons', action_id: ANSWER_FIELD, options: [option('true', 'Yes'), option('false', 'No')] } };
    case 'number':
      return { type: 'input', block_id: ANSWER_FIELD, label, element: { type: 'number_input', action_id: ANSWER_FIELD, is_decimal_allowed: true } };
    case 'choice':
      return { type: 'input', block_id: ANSWER_FIELD, label, element: { type: 'static_select', action_id: ANSWER_FIELD, options: choices.slice(0, 100).map((c) => option(c)) } };
    case 'timestamp':
      return { type: 'input', block_id: ANSWER_FIELD, label: { type: 'plain_text', text: 'When (your local time)' }, element: { type: 'datetimepicker', action_id: ANSWER_FIELD } };
    default:
      return { type: 'input', block_id: ANSWER_FIELD, label, element: { type: 'plain_text_input', action_id: ANSWER_FIELD, multiline: true, max_length: 3000 } };
  }
}

export function answerModal(ask: string, type: string, choices: readonly string[], context: ModalContext): ModalView {
  return {
    type: 'modal',
    callback_id: ViewId.Answer,
    private_metadata: encodeModalContext({ ...context, inputType: type }),
    title: { type: 'plain_text', text: 'Answer' },
    submit: { type: 'plain_text', text: 'Send' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ask.slice(0, 2900) || (context.stepId ?? '') } }, answerElement(type, choices)],
  };
}

/** The submitted value as the workflow expects it for `type`; undefined when the field is empty. */
export function answerValue(type: string, field: { value?: string | null; selected_option?: { value: string } | null; selected_date_time?: number | null } | undefined): string | number | boolean | undefined {
  if (!field) return undefined;
  switch (type) {
    case 'boolean':
      return field.selected_option ? field.selected_option.value === 'true' : undefined;
    case 'number':
      return field.value == null || field.value === '' ? undefined : Number(field.value);
    case 'choice':
      return field.selected_option?.value;
    case 'timestamp':
      return typeof field.selected_date_time === 'number' ? new Date(field.selected_date_time * 1000).toISOString() : undefined;
    default:
      return field.value ?? undefined;
  }
}
