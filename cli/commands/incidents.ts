import { type Command, InvalidArgumentError } from 'commander';
import type { IncidentStatus } from '../../workflows/incident/state';
import { callApi, cliTarget, expectOk } from '../api-client';
import { renderIncident } from '../render-incident';

const print = (json: boolean, value: unknown, human: () => string): void => {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : human()}\n`);
};

const incidentRoute = (id: string): string => {
  if (!/^incident\/[a-z0-9-]+\/[A-Za-z0-9]+$/.test(id)) throw new Error(`"${id}" is not an incident id (incident/<source>/<id>)`);
  return `/v1/incidents/${id}`;
};

/**
 * The approval binds to the text: show the person the draft they are deciding on (on stderr, so --json stays clean)
 * and send its hash. If the draft changes between this read and the decision, the workflow refuses the approval.
 */
async function shownDraft(id: string, step: string): Promise<string | undefined> {
  const status = expectOk(await callApi(cliTarget(), 'GET', incidentRoute(id))) as unknown as IncidentStatus;
  const approval = status.approvals.find((a) => a.stepId === step);
  if (approval?.draftSha256 === undefined) return undefined;
  const files = (approval.attachments ?? []).map((a) => `  ${a.sha256}  ${a.name} (${a.size} bytes, ${a.evidenceId})\n`).join('');
  process.stderr.write(`draft (sha256 ${approval.draftSha256}):\n${approval.draft ?? ''}\n${files ? `attachments:\n${files}` : ''}\n`);
  return approval.draftSha256;
}

/** Reads and decisions over the HTTP API, as the local admin (or FIREBREAK_TOKEN's person). */
export function registerIncidentCommands(program: Command): void {
  program
    .command('incidents')
    .description('list incidents, newest first, one page at a time')
    .option('--running', 'only incidents still running')
    .option('--limit <n>', 'rows per page (1-200)', '50')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--all', 'follow every page')
    .option('--json', 'machine-readable output')
    .action(async (opts: { running?: boolean; limit: string; cursor?: string; all?: boolean; json?: boolean }) => {
      type Row = { id: string; phase?: string; temporalStatus: string; severity?: string; title?: string; waitingOn?: string[] };
      const rows: Row[] = [];
      let cursor = opts.cursor;
      let next: string | undefined;
      do {
        const query = new URLSearchParams({ limit: opts.limit, ...(opts.running && { running: 'true' }), ...(cursor && { cursor }) });
        const body = expectOk(await callApi(cliTarget(), 'GET', `/v1/incidents?${query}`));
        rows.push(...(body.incidents as Row[]));
        next = body.next as string | undefined;
        cursor = next;
      } while (opts.all && next);
      print(Boolean(opts.json), { incidents: rows, ...(next && { next }) }, () =>
        [
          rows.length === 0 ? 'no incidents' : rows.map((i) => `${i.id}  ${(i.phase ?? i.temporalStatus).padEnd(9)} ${(i.severity ?? '').padEnd(8)} ${i.title ?? ''}${i.waitingOn?.length ? `  (waiting: ${i.waitingOn.join(', ')})` : ''}`).join('\n'),
          ...(next ? [`more: firebreak incidents --cursor ${next} (or --all)`] : []),
        ].join('\n'),
      );
    });

  program
    .command('incident <id>')
    .description("show one incident's steps, pending decisions and timeline")
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const body = expectOk(await callApi(cliTarget(), 'GET', incidentRoute(id)));
      print(Boolean(opts.json), body, () => renderIncident(body as unknown as IncidentStatus));
    });

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(`${decision} <id> <step>`)
      .description(`${decision} an approval step (you may not decide what you requested)`)
      .requiredOption('--reason <text>', 'why: recorded with your identity')
      .option('--draft-sha256 <hex>', 'the draft you reviewed (default: the draft shown now, printed before deciding)')
      .option('--override', 'as incident commander, decide a step that belongs to another role (recorded as an override)')
      .option('--json', 'machine-readable output')
      .action(async (id: string, step: string, opts: { reason: string; draftSha256?: string; override?: boolean; json?: boolean }) => {
        const draftSha256 = opts.draftSha256 ?? (await shownDraft(id, step));
        const body = expectOk(await callApi(cliTarget(), 'POST', `${incidentRoute(id)}/steps/${step}/${decision}`, { reason: opts.reason, draftSha256, ...(opts.override && { override: true }) }));
        print(Boolean(opts.json), body, () => `${decision === 'approve' ? 'approved' : 'rejected'} ${step} as ${body.by}; step is now ${body.stepOutcome}`);
      });
  }

  program
    .command('answer <id> <step> <value>')
    .description('answer an input step (true/false and numbers are sent typed)')
    .option('--text', 'send the value as text even if it looks like a number or boolean')
    .option('--override', 'as incident commander, answer for another role (recorded as an override; needs --reason)')
    .option('--reason <text>', 'why you answer as an override')
    .action(async (id: string, step: string, raw: string, opts: { text?: boolean; override?: boolean; reason?: string }) => {
      const value = opts.text ? raw : raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      expectOk(await callApi(cliTarget(), 'POST', `${incidentRoute(id)}/steps/${step}/answer`, { value, ...(opts.override && { override: true }), ...(opts.reason && { reason: opts.reason }) }));
      process.stdout.write(`answered ${step}\n`);
    });

  program
    .command('abort <id>')
    .description('abort an incident; completed containment is undone in reverse order')
    .requiredOption('--reason <text>', 'why: recorded with your identity')
    .action(async (id: string, opts: { reason: string }) => {
      expectOk(await callApi(cliTarget(), 'POST', `${incidentRoute(id)}/abort`, { reason: opts.reason }));
      process.stdout.write(`abort requested for ${id}\n`);
    });

  program
    .command('resolve <id> <step>')
    .description('decide what happens to an action step that failed under onFailure: escalate (a role of the runbook)')
    .requiredOption('--choice <retry|continue|abort>', 'retry the action, continue without it, or abort the incident')
    .requiredOption('--reason <text>', 'why: recorded with your identity')
    .action(async (id: string, step: string, opts: { choice: string; reason: string }) => {
      expectOk(await callApi(cliTarget(), 'POST', `${incidentRoute(id)}/steps/${step}/resolve`, { choice: opts.choice, reason: opts.reason }));
      process.stdout.write(`${opts.choice} chosen for ${step}\n`);
    });

  program
    .command('stop-clock <id> <clock>')
    .description('end a reporting duty without a notice, e.g. not notifiable (a role that approves disclosure, or incident-commander)')
    .requiredOption('--reason <text>', 'why: recorded with your identity')
    .action(async (id: string, clock: string, opts: { reason: string }) => {
      expectOk(await callApi(cliTarget(), 'POST', `${incidentRoute(id)}/clocks/${clock}/stop`, { reason: opts.reason }));
      process.stdout.write(`clock ${clock} stopped\n`);
    });

  program
    .command('run <id> <runbook>')
    .description('run another runbook in an open incident, beside its own (incident commander or a role of its runbook)')
    .option('--reason <text>', 'why: recorded with your identity')
    .option('--json', 'machine-readable output')
    .action(async (id: string, runbook: string, opts: { reason?: string; json?: boolean }) => {
      const body = expectOk(await callApi(cliTarget(), 'POST', `${incidentRoute(id)}/runbooks`, { runbook, ...(opts.reason ? { reason: opts.reason } : {}) }));
      print(Boolean(opts.json), body, () => `runbook ${runbook} started in ${id} as ${String(body.childId)}`);
    });

  program
    .command('declare')
    .description('declare an incident and start a runbook')
    .requiredOption('--title <text>', 'what is happening')
    .requiredOption('--runbook <id>', 'runbook to run')
    .option('--severity <level>', 'critical|high|medium|low|info', 'high')
    .option('--description <text>', 'details')
    .option('--label <name=value>', 'a label the runbook reads as alert.labels.<name> (repeatable), e.g. --label user=m.smith', (pair: string, all: Record<string, string>) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new InvalidArgumentError(`expected name=value, got ${pair}`);
      return { ...all, [pair.slice(0, at)]: pair.slice(at + 1) };
    }, {} as Record<string, string>)
    .action(async (opts: { title: string; runbook: string; severity: string; description?: string; label: Record<string, string> }) => {
      const { label, ...rest } = opts;
      const body = expectOk(await callApi(cliTarget(), 'POST', '/v1/incidents', { ...rest, ...(Object.keys(label).length > 0 && { labels: label }) }));
      process.stdout.write(`${body.incidentId}\n`);
    });

  program
    .command('runbooks')
    .description('list the runbooks new incidents start from')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const body = expectOk(await callApi(cliTarget(), 'GET', '/v1/runbooks'));
      const runbooks = body.runbooks as { id: string; version: number; title: string }[];
      print(Boolean(opts.json), body, () => runbooks.map((r) => `${r.id}  v${r.version}  ${r.title}`).join('\n'));
    });
}
