import { labelQuestionId } from '../../runbooks/schema/label-question';
import type { RunContext } from './context';
import { runInput } from './steps/input';

/**
 * Before the first step: every label the runbook declares under `requires.labels` that its alert lacks (a declared
 * incident, a sender that left it out of a runbook that takes `missing: ask`) is asked of a person, as an input step
 * `labels.<name>` (Slack, the CLI, the API and the console answer it like any other), and the answer becomes the label.
 * Without an alert (a recorded incident replayed by `runbook test`), there is nothing to complete.
 */
export async function askMissingLabels(ctx: RunContext): Promise<void> {
  const alert = ctx.input.alert;
  if (!alert) return;
  for (const required of ctx.input.pinned.runbook.requires?.labels ?? []) {
    if (alert.labels[required.label]) continue;
    const id = labelQuestionId(required.label);
    await runInput({ kind: 'input', id, ask: required.ask, type: required.type, choices: required.choices, role: required.role }, ctx);
    // The input (and so `alert`) is carried over by continue-as-new, so an answered label is never asked again.
    alert.labels[required.label] = String(ctx.state.status.answers[id]);
  }
}
