import type { ModalView } from '@slack/web-api';
import { ViewId } from '../../../slack/action-ids';
import { type ModalContext, encodeModalContext } from './metadata';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** Block and action ids of the declare modal's fields, read back on submission. */
export const DeclareField = { title: 'title', severity: 'severity', runbook: 'runbook', description: 'description' } as const;

export function declareModal(runbooks: { id: string; title: string }[], context: ModalContext): ModalView {
  const option = (value: string, text: string) => ({ value, text: { type: 'plain_text' as const, text: text.slice(0, 75) } });
  return {
    type: 'modal',
    callback_id: ViewId.Declare,
    private_metadata: encodeModalContext(context),
    title: { type: 'plain_text', text: 'Declare an incident' },
    submit: { type: 'plain_text', text: 'Declare' },
    blocks: [
      { type: 'input', block_id: DeclareField.title, label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: DeclareField.title, max_length: 500 } },
      {
        type: 'input',
        block_id: DeclareField.severity,
        label: { type: 'plain_text', text: 'Severity' },
        element: { type: 'static_select', action_id: DeclareField.severity, initial_option: option('high', 'high'), options: SEVERITIES.map((s) => option(s, s)) },
      },
      {
        type: 'input',
        block_id: DeclareField.runbook,
        label: { type: 'plain_text', text: 'Runbook' },
        element: { type: 'static_select', action_id: DeclareField.runbook, options: runbooks.slice(0, 100).map((r) => option(r.id, `${r.title} (${r.id})`)) },
      },
      {
        type: 'input',
        block_id: DeclareField.description,
        optional: true,
        label: { type: 'plain_text', text: 'Description' },
        element: { type: 'plain_text_input', action_id: DeclareField.description, multiline: true, max_length: 3000 },
      },
    ],
  };
}
