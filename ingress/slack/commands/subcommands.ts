/** `/incident <subcommand> [args]`: the first word picks the handler, the rest are its arguments. */
export type Subcommand = 'declare' | 'list' | 'status' | 'run' | 'abort' | 'stop-clock' | 'help';

const KNOWN: readonly Subcommand[] = ['declare', 'list', 'status', 'run', 'abort', 'stop-clock', 'help'];

export function parseSubcommand(text: string): { name: Subcommand | undefined; args: string[] } {
  const [first = 'help', ...args] = text.trim().split(/\s+/).filter(Boolean);
  const name = KNOWN.find((k) => k === first.toLowerCase());
  return { name, args };
}

export const HELP_TEXT = [
  '*/incident* — run incidents from Slack',
  '• `/incident declare` — open the declare form (title, severity, runbook, description)',
  '• `/incident list` — open incidents',
  '• `/incident status <incident-id>` — current status',
  '• `/incident abort <incident-id>` — abort with a reason (completed steps are compensated)',
  '• `/incident run <incident-id> <runbook>` — run another runbook in the incident, beside its own',
  '• `/incident stop-clock <incident-id> <clock-id>` — end a deadline clock without a notice, with a reason (a disclosure approver or the incident commander)',
  '• `/incident help` — this text',
].join('\n');
