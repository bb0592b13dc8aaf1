import type { App } from '@slack/bolt';
import { registerAnswerButton } from './actions/answer-button';
import { registerDecisionButtons } from './actions/decision-buttons';
import { registerResolveButtons } from './actions/resolve-buttons';
import { registerStopClockButton } from './actions/stop-clock-button';
import { registerIncidentCommand } from './commands/incident-command';
import type { SlackListenerDeps } from './deps';
import { registerAbortSubmitted } from './views/abort-submitted';
import { registerAnswerSubmitted } from './views/answer-submitted';
import { registerDeclareSubmitted } from './views/declare-submitted';
import { registerDecisionSubmitted } from './views/decision-submitted';
import { registerResolveSubmitted } from './views/resolve-submitted';
import { registerStopClockSubmitted } from './views/stop-clock-submitted';

/** Every Slack listener Firebreak has. Each acks first, then talks to Temporal. */
export function register(app: App, deps: SlackListenerDeps): void {
  registerIncidentCommand(app, deps);
  registerDecisionButtons(app, deps);
  registerAnswerButton(app, deps);
  registerResolveButtons(app, deps);
  registerStopClockButton(app, deps);
  registerDecisionSubmitted(app, deps);
  registerAnswerSubmitted(app, deps);
  registerAbortSubmitted(app, deps);
  registerDeclareSubmitted(app, deps);
  registerResolveSubmitted(app, deps);
  registerStopClockSubmitted(app, deps);
}
